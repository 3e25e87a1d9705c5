from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from switchex.gateway.router import SwitchEvent
from switchex.notify.notifier import Notifier


class Sink:
    """A local HTTP endpoint that records what apprise posts to it."""

    def __init__(self, delay: float = 0.0) -> None:
        self.bodies: list[dict[str, object]] = []
        self.delay = delay
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                time.sleep(sink.delay)
                sink.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_switch_notification_names_models_reason_reset_and_work(sink: Sink) -> None:
    notifier = Notifier([sink.url])
    notifier.worked("claude", ["a.py", "b.py"], 40, 2)
    notifier.switched(
        SwitchEvent(
            time.time(),
            "claude",
            "gemini-flash",
            "rate_limit",
            time.mktime((2026, 11, 26, 17, 30, 0, 0, 0, -1)),
        )
    )
    sink.wait(1)
    notifier.close()
    [body] = sink.bodies
    assert body["title"] == "switchex: claude -> gemini-flash"
    message = str(body["message"])
    assert "rate_limit" in message and "until 17:30" in message
    assert "2 file(s), +40/-2 lines" in message


def test_recovery_is_announced(sink: Sink) -> None:
    notifier = Notifier([sink.url])
    notifier.switched(SwitchEvent(time.time(), "gemini-flash", "claude", "recovered", None))
    sink.wait(1)
    notifier.close()
    assert sink.bodies[0]["title"] == "switchex: back on claude"


def test_unreachable_target_is_counted_not_raised() -> None:
    notifier = Notifier(["json://127.0.0.1:9/nothing-listens"])
    notifier.switched(SwitchEvent(time.time(), "a", "b", "rate_limit", None))
    notifier.close(timeout=15)
    assert (notifier.sent, notifier.failed) == (0, 1)


def test_slow_target_never_delays_the_caller() -> None:
    slow = Sink(delay=2.0)
    notifier = Notifier([slow.url])
    began = time.perf_counter()
    for _ in range(3):
        notifier.switched(SwitchEvent(time.time(), "a", "b", "overloaded", None))
    assert time.perf_counter() - began < 0.05
    slow.wait(1, timeout=10)
    assert slow.bodies
    slow.server.shutdown()
    slow.server.server_close()


def test_work_is_counted_per_turn(sink: Sink) -> None:
    notifier = Notifier([sink.url], min_interval=0)
    notifier.worked("claude", ["x.py"], 3, 1)
    event = SwitchEvent(0, "claude", "local", "rate_limit", None)
    notifier.switched(event)
    notifier.switched(event)
    sink.wait(2)
    notifier.close()
    messages = [str(body["message"]) for body in sink.bodies]
    assert "1 file(s), +3/-1 lines" in messages[0]
    assert "no file changes recorded" in messages[1]


def test_the_seeds_discord_webhook_url_is_understood_as_is() -> None:
    import apprise

    sender = apprise.Apprise()
    assert sender.add("https://discord.com/api/webhooks/123456789012345678/abcDEF_token-xyz")
    assert sender[0].service_name == "Discord"


def test_a_flapping_tier_sends_one_notification_per_interval_with_a_count(sink: Sink) -> None:
    notifier = Notifier([sink.url], min_interval=0.5)
    notifier.worked("claude", ["a.py"], 1, 0)
    for _ in range(3):  # claude limited, back, limited, back, limited, back
        notifier.switched(SwitchEvent(time.time(), "claude", "gemini", "rate_limit", None))
        notifier.switched(SwitchEvent(time.time(), "gemini", "claude", "recovered", None))
    notifier.switched(SwitchEvent(time.time(), "gemini", "local", "overloaded", None))
    sink.wait(2, timeout=0.4)
    titles = [str(body["title"]) for body in sink.bodies]
    assert sorted(titles) == ["switchex: claude -> gemini", "switchex: gemini -> local"]
    sink.wait(3, timeout=5)  # the interval is over: the latest, with what was folded in
    notifier.close()
    assert len(sink.bodies) == 3
    last = sink.bodies[2]
    assert last["title"] == "switchex: back on claude"
    assert "4 earlier change(s) of this tier were folded" in str(last["message"])


def test_close_sends_what_is_still_held(sink: Sink) -> None:
    notifier = Notifier([sink.url], min_interval=3600)
    notifier.switched(SwitchEvent(time.time(), "claude", "gemini", "rate_limit", None))
    notifier.switched(SwitchEvent(time.time(), "gemini", "claude", "recovered", None))
    notifier.close()
    assert [body["title"] for body in sink.bodies] == [
        "switchex: claude -> gemini",
        "switchex: back on claude",
    ]
