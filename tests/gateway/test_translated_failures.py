"""Everything the OpenAI and Gemini fakes can throw, through the gateway: fail over before the
first byte, or a well-formed Anthropic stream after it — never a crash or a broken stream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import FakeServer, Reply
from switchex.fakes.gemini import FakeGemini
from switchex.fakes.openai import FakeOpenAI
from tests.client import message, post
from tests.helpers import GatewayServer, make_config, serve


def tier_for(fake: FakeServer) -> dict[str, object]:
    if isinstance(fake, FakeGemini):
        return {
            "name": "first",
            "provider": "gemini",
            "base_url": fake.base_url,
            "api_key": "g-key",
            "models": {"default": "gemini-2.5-flash"},
        }
    return {
        "name": "first",
        "provider": "openai",
        "base_url": f"{fake.base_url}/v1",
        "models": {"default": "fake-model"},
    }


@pytest.fixture(params=["openai", "gemini"])
def first(request: pytest.FixtureRequest) -> Iterator[FakeServer]:
    fake: FakeServer = FakeGemini(api_key="g-key") if request.param == "gemini" else FakeOpenAI()
    with fake:
        yield fake


@pytest.fixture
def gateway(first: FakeServer, claude: FakeAnthropic, tmp_path: Path) -> Iterator[GatewayServer]:
    backup = {"name": "backup", "provider": "anthropic", "base_url": claude.base_url}
    config = make_config(
        [{**tier_for(first), "first_byte_timeout": 0.5}, backup], ping_interval=0.3
    )
    server = serve(config, tmp_path / "state")
    yield server
    server.stop()


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=429, headers={"retry-after": "30"}),
        Reply(status=500),
        Reply(status=503),
        Reply(garbage=True),
        Reply(hang=True),
    ],
    ids=["429", "500", "503", "garbage", "hang"],
)
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_failures_before_the_first_byte_fail_over(
    first: FakeServer, gateway: GatewayServer, reply: Reply, stream: bool
) -> None:
    first.push(reply)
    answer = post(f"{gateway.url}/v1/messages", message(stream=stream))
    assert answer.status == 200
    assert answer.headers["x-switchex-tier"] == "backup"


def test_a_stream_dropped_before_any_event_fails_over(
    first: FakeServer, gateway: GatewayServer
) -> None:
    first.push(Reply(text="never sent", drop_after=0))
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "backup")


def test_a_stream_broken_after_its_first_events_ends_with_an_error_event(
    first: FakeServer, claude: FakeAnthropic, gateway: GatewayServer
) -> None:
    first.push(Reply(text="a fairly long answer that will be cut " * 5, drop_after=2))
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    events = answer.events()
    assert answer.headers["x-switchex-tier"] == "first"
    assert events[0]["type"] == "message_start"
    assert events[-1]["type"] in ("error", "message_stop")
    assert claude.model_requests() == []


def test_a_slow_stream_is_kept_alive_with_pings(first: FakeServer, gateway: GatewayServer) -> None:
    first.push(Reply(text="slow words arrive " * 4, stall=0.45))
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    types = [event["type"] for event in answer.events()]
    assert types[0] == "message_start" and types[-1] == "message_stop"
    assert "ping" in types
