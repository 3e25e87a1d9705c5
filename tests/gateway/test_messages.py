"""The /v1/messages path end to end over loopback: relay, failover, cooldown, bad input."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from switchex.fakes.anthropic import ECHO, FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from tests.client import get, message, post
from tests.gateway.conftest import MakeGateway

UNIFIED_REJECTED = {
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
}


def journal_rows(tmp_path: Path, table: str, at_least: int = 1) -> list[sqlite3.Row]:
    """The table's rows, waiting briefly: a row is written after its answer is sent."""
    deadline = time.monotonic() + 5
    while True:
        rows = _rows(tmp_path, table)
        if len(rows) >= at_least or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def _rows(tmp_path: Path, table: str) -> list[sqlite3.Row]:
    connection = sqlite3.connect(tmp_path / "state" / "journal.sqlite3")
    connection.row_factory = sqlite3.Row
    rows = connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    connection.close()
    return rows


def test_whole_answer_is_relayed_and_body_sent_byte_for_byte(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude)
    raw = b'{"model":"claude-sonnet-4-5","max_tokens":9,  "messages":[{"role":"user",'
    raw += b'"content":"hi"}]}'
    answer = post(
        f"{gateway.url}/v1/messages?beta=true", raw, {"anthropic-beta": "oauth-2025-04-20"}
    )
    assert answer.status == 200
    assert answer.json()["content"] == [{"type": "text", "text": "ok"}]
    seen = claude.model_requests()[0]
    assert seen.body == raw
    assert seen.headers["anthropic-beta"] == "oauth-2025-04-20"
    assert seen.headers["x-api-key"] == "client-key"
    assert answer.headers["x-switchex-tier"] == "t1"


def test_tier_key_replaces_the_clients_credentials(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude, api_key="tier-key")
    post(f"{gateway.url}/v1/messages", message(), {"authorization": "Bearer client-oauth"})
    seen = claude.model_requests()[0].headers
    assert seen["x-api-key"] == "tier-key"
    assert "authorization" not in {k.lower() for k in seen}


def test_stream_is_relayed_event_by_event(claude: FakeAnthropic, make_gateway: MakeGateway) -> None:
    claude.push(Reply(text="streamed words", tool_calls=[ToolCall("Bash", {"command": "ls"})]))
    gateway = make_gateway(claude)
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    types = [event["type"] for event in answer.events()]
    assert types[0] == "message_start" and types[-1] == "message_stop"
    text = "".join(
        e["delta"].get("text", "") for e in answer.events() if e["type"] == "content_block_delta"
    )
    assert text == "streamed words"
    assert answer.headers["content-type"].startswith("text/event-stream")


def test_rate_limit_fails_over_and_cools_until_the_subscription_reset(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway, tmp_path: Path
) -> None:
    reset = int(time.time()) + 3600
    claude.push(
        Reply(
            status=429,
            headers={**UNIFIED_REJECTED, "anthropic-ratelimit-unified-reset": str(reset)},
        )
    )
    gateway = make_gateway(claude, claude2)
    for _ in range(3):
        assert post(f"{gateway.url}/v1/messages", message(stream=True)).status == 200
    assert len(claude.model_requests()) == 1
    assert len(claude2.model_requests()) == 3
    status = get(f"{gateway.url}/status").json()
    assert status["active"] == "t2"
    assert status["tiers"][0]["state"] == "cooling"
    assert status["tiers"][0]["until"] == reset
    switches = journal_rows(tmp_path, "switches")
    assert [(s["from_tier"], s["to_tier"], s["reason"]) for s in switches] == [
        ("t1", "t2", "rate_limit")
    ]


def test_switches_back_after_the_reset_passes(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    claude.push(Reply(status=429, headers={"retry-after": "1"}))
    gateway = make_gateway(claude, claude2)
    assert post(f"{gateway.url}/v1/messages", message()).headers["x-switchex-tier"] == "t2"
    time.sleep(1.1)
    assert post(f"{gateway.url}/v1/messages", message()).headers["x-switchex-tier"] == "t1"
    reasons = [s["reason"] for s in get(f"{gateway.url}/status").json()["switches"]]
    assert reasons == ["recovered", "rate_limit"]


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=529),
        Reply(status=500),
        Reply(status=503),
        Reply(hang=True),
        Reply(garbage=True),
    ],
    ids=["529", "500", "503", "hang", "garbage"],
)
def test_switch_worthy_failures_fail_over(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway, reply: Reply
) -> None:
    claude.push(reply)
    gateway = make_gateway(claude, claude2, first_byte_timeout=0.5)
    answer = post(f"{gateway.url}/v1/messages", message())
    assert answer.status == 200
    assert answer.headers["x-switchex-tier"] == "t2"


def test_unreachable_tier_fails_over(claude2: FakeAnthropic, make_gateway: MakeGateway) -> None:
    dead = FakeAnthropic()
    dead.port = 9  # discard port: nothing listens
    gateway = make_gateway(dead, claude2)
    assert post(f"{gateway.url}/v1/messages", message()).headers["x-switchex-tier"] == "t2"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
def test_client_errors_are_returned_unmodified_without_failover(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway, status: int
) -> None:
    body = b'{"type":"error","error":{"type":"x","message":"exact upstream words"}}'
    claude.push(Reply(status=status, error_body=body, headers={"request-id": "req_1"}))
    gateway = make_gateway(claude, claude2)
    answer = post(f"{gateway.url}/v1/messages", message())
    assert (answer.status, answer.body) == (status, body)
    assert answer.headers["request-id"] == "req_1"
    assert claude2.model_requests() == []
    assert get(f"{gateway.url}/status").json()["tiers"][0]["state"] == "ready"


def test_all_cooling_answers_429_with_the_soonest_retry_after(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    claude.push(Reply(status=429, headers={"retry-after": "120"}))
    claude2.push(Reply(status=429, headers={"retry-after": "40"}))
    gateway = make_gateway(claude, claude2)
    answer = post(f"{gateway.url}/v1/messages", message())
    assert answer.status == 429
    assert answer.json()["error"]["type"] == "rate_limit_error"
    assert 38 <= int(answer.headers["retry-after"]) <= 40
    again = post(f"{gateway.url}/v1/messages", message())
    assert again.status == 429
    assert len(claude.model_requests()) == len(claude2.model_requests()) == 1


def test_failure_after_the_first_byte_is_not_failed_over(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    claude.push(Reply(text="partial answer", drop_after=3))
    gateway = make_gateway(claude, claude2)
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    assert answer.status == 200
    events = answer.events()
    assert events[0]["type"] == "message_start"
    assert events[-1]["type"] == "error"
    assert claude2.model_requests() == []


def test_silent_stream_gets_pings(claude: FakeAnthropic, make_gateway: MakeGateway) -> None:
    claude.push(Reply(text="slow", stall=0.3))
    gateway = make_gateway(claude)
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    pings = [e for e in answer.events() if e["type"] == "ping"]
    assert len(pings) > 2  # the fake sends one itself; the rest are the gateway's


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (b'{"messages": []}', 400, "model"),
        (b'{"model": "m"}', 400, "messages"),
        (b'{"model": "\xff\xfe", "messages": []}', 400, "UTF-8"),
        (b" " * (32 * 1024 * 1024 + 1), 413, "larger than"),
    ],
    ids=["json", "array", "no-model", "no-messages", "utf8", "too-large"],
)
def test_bad_input_gets_an_anthropic_shaped_error(
    claude: FakeAnthropic, make_gateway: MakeGateway, body: bytes, status: int, words: str
) -> None:
    gateway = make_gateway(claude)
    answer = post(f"{gateway.url}/v1/messages", body)
    assert answer.status == status
    error = answer.json()
    assert error["type"] == "error" and words in error["error"]["message"]
    assert claude.model_requests() == []
    assert post(f"{gateway.url}/v1/messages", message()).status == 200  # still serving


def test_concurrent_streams_complete_without_mixing(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    claude.default = Reply(text=ECHO)
    gateway = make_gateway(claude)

    def one(index: int) -> str:
        answer = post(f"{gateway.url}/v1/messages", message(f"request {index}", stream=True))
        return "".join(
            e["delta"].get("text", "")
            for e in answer.events()
            if e["type"] == "content_block_delta"
        )

    with ThreadPoolExecutor(100) as pool:
        texts = list(pool.map(one, range(100)))
    assert texts == [f"request {i}" for i in range(100)]


def test_requests_are_journaled_without_keys(
    claude: FakeAnthropic, make_gateway: MakeGateway, tmp_path: Path
) -> None:
    gateway = make_gateway(claude, api_key="sk-secret-tier-key")
    post(
        f"{gateway.url}/v1/messages",
        message(stream=True),
        {"x-claude-code-session-id": "sess-1", "x-api-key": "sk-secret-client"},
    )
    [row] = journal_rows(tmp_path, "requests")
    assert (row["session"], row["tier"], row["status"], row["stream"]) == ("sess-1", "t1", 200, 1)
    assert row["input_tokens"] == 10 and row["output_tokens"] == 5
    status = get(f"{gateway.url}/status").body
    stored = b"".join(p.read_bytes() for p in (tmp_path / "state").glob("journal.sqlite3*"))
    for secret in (b"sk-secret-tier-key", b"sk-secret-client"):
        assert secret not in status and secret not in stored


def test_count_tokens_is_forwarded_then_estimated_while_cooling(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude)
    forwarded = post(f"{gateway.url}/v1/messages/count_tokens?beta=true", message())
    assert forwarded.status == 200 and "x-switchex-estimate" not in forwarded.headers
    claude.push(Reply(status=429, headers={"retry-after": "60"}))
    post(f"{gateway.url}/v1/messages", message())
    estimated = post(f"{gateway.url}/v1/messages/count_tokens", message())
    assert estimated.status == 200 and estimated.json()["input_tokens"] > 0
    assert estimated.headers["x-switchex-estimate"] == "1"


@pytest.mark.parametrize(
    "path", ["/", "/health", "/api/hello", "/v1/models", "/metrics", "/status"]
)
def test_small_endpoints_answer(
    claude: FakeAnthropic, make_gateway: MakeGateway, path: str
) -> None:
    assert get(f"{make_gateway(claude).url}{path}").status == 200


def test_unknown_path_is_an_anthropic_shaped_404(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    answer = get(f"{make_gateway(claude).url}/v1/complete")
    assert answer.status == 404
    assert json.loads(answer.body)["error"]["type"] == "not_found_error"


def test_client_leaving_mid_stream_cancels_the_upstream_request(
    claude: FakeAnthropic, make_gateway: MakeGateway, tmp_path: Path
) -> None:
    import http.client

    claude.push(Reply(text="a long answer " * 20, stall=0.2))
    gateway = make_gateway(claude)
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    connection.request(
        "POST",
        "/v1/messages",
        json.dumps(message(stream=True)).encode(),
        {"content-type": "application/json"},
    )
    response = connection.getresponse()
    assert response.read1(100).startswith(b"event: message_start")
    connection.close()
    deadline = time.monotonic() + 5
    while claude.broken_streams == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert claude.broken_streams == 1
    [row] = journal_rows(tmp_path, "requests")
    assert (row["status"], row["error_type"]) == (499, "client_disconnected")
    assert post(f"{gateway.url}/v1/messages", message()).status == 200


def test_subscription_credentials_reach_claude_and_never_another_tier(
    claude: FakeAnthropic, tmp_path: Path
) -> None:
    from switchex.fakes.openai import FakeOpenAI
    from tests.helpers import make_config, serve

    oauth = {
        "authorization": "Bearer sk-ant-oat01-subscriber",
        "x-api-key": "",
        "anthropic-beta": "oauth-2025-04-20,claude-code-20250219",
    }
    claude.push(Reply(text="on claude"), Reply(status=429, headers={"retry-after": "60"}))
    with FakeOpenAI(default=Reply(text="on the fallback")) as other:
        config = make_config(
            [
                {
                    "name": "claude",
                    "provider": "anthropic",
                    "base_url": claude.base_url,
                    "forward_client_credentials": True,  # the fake stands in for Anthropic
                },
                {
                    "name": "other",
                    "provider": "openai",
                    "base_url": f"{other.base_url}/v1",
                    "models": {"default": "fake-model"},
                },
            ]
        )
        server = serve(config, None)
        try:
            first = post(f"{server.url}/v1/messages", message(), oauth)
            second = post(f"{server.url}/v1/messages", message(), oauth)
        finally:
            server.stop()
        assert first.headers["x-switchex-tier"] == "claude"
        assert second.headers["x-switchex-tier"] == "other"
        seen = {k.lower(): v for k, v in claude.model_requests()[0].headers.items()}
        assert seen["authorization"] == "Bearer sk-ant-oat01-subscriber"
        assert seen["anthropic-beta"] == "oauth-2025-04-20,claude-code-20250219"
        [request] = other.model_requests()
        leaked = " ".join(f"{k}: {v}" for k, v in request.headers.items())
        assert "sk-ant-oat01" not in leaked and "oauth-2025" not in leaked


def test_head_api_hello_answers_200_without_a_body(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    import http.client

    gateway = make_gateway(claude)
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=5)
    for _ in range(2):  # the kept-alive connection stays usable after a HEAD
        connection.request("HEAD", "/api/hello")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"")
    connection.close()
