"""A relayed stream whose first word is a failure goes to the next tier, not to the client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiohttp import web

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, start_stream
from tests.client import get, message, post
from tests.gateway.conftest import MakeGateway

OVERLOADED = (
    b"event: error\n"
    b'data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
)


class FirstWordFake(FakeAnthropic):
    """Answers every stream 200 with `first` and nothing else (split in two writes)."""

    def __init__(self, first: bytes, content_type: str = "text/event-stream") -> None:
        super().__init__()
        self.first = first
        self.content_type = content_type

    async def messages(self, request: web.Request) -> web.StreamResponse:
        await self.record(request)
        response = await start_stream(request, {"content-type": self.content_type})
        await response.write(self.first[:20])
        await response.write(self.first[20:])
        await response.write_eof()
        return response


@pytest.fixture
def overloaded() -> Iterator[FakeAnthropic]:
    with FirstWordFake(OVERLOADED) as fake:
        yield fake


@pytest.fixture
def json_instead() -> Iterator[FakeAnthropic]:
    body = b'{"type":"error","error":{"type":"api_error","message":"not a stream"}}'
    with FirstWordFake(body, "application/json") as fake:
        yield fake


def test_an_overloaded_first_event_fails_over(
    overloaded: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(overloaded, claude2)
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "t2")
    assert b"overloaded_error" not in answer.body
    assert get(f"{gateway.url}/status").json()["tiers"][0]["reason"] == "overloaded"


def test_json_where_a_stream_was_asked_fails_over(
    json_instead: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(json_instead, claude2)
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "t2")
    assert get(f"{gateway.url}/status").json()["tiers"][0]["reason"] == "bad_response"


def _event(payload: bytes) -> bytes:
    kind = payload.split(b'"type":"', 1)[1].split(b'"', 1)[0]
    return b"event: " + kind + b"\ndata: " + payload + b"\n\n"


MESSAGE_START = _event(
    b'{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",'
    b'"model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}'
)
PING = _event(b'{"type":"ping"}')


@pytest.mark.parametrize(
    ("first", "content_type", "reason"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", "bad_response"),
        (b"\x00\x01garbage that is no stream", "text/event-stream", "bad_response"),
        (MESSAGE_START + PING, "text/event-stream", "server_error"),  # broke off: no content
        (MESSAGE_START + PING + OVERLOADED, "text/event-stream", "overloaded"),
    ],
    ids=["html", "garbage", "truncated", "error-after-message-start"],
)
def test_a_head_without_content_fails_over(
    first: bytes,
    content_type: str,
    reason: str,
    claude2: FakeAnthropic,
    make_gateway: MakeGateway,
) -> None:
    with FirstWordFake(first, content_type) as broken:
        gateway = make_gateway(broken, claude2)
        answer = post(f"{gateway.url}/v1/messages", message(stream=True))
        assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "t2")
        assert answer.body.startswith(b"event: message_start") and first not in answer.body
        assert get(f"{gateway.url}/status").json()["tiers"][0]["reason"] == reason


def test_three_overloaded_streams_in_a_row_cool_the_tier_and_the_next_serves(
    overloaded: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(overloaded, claude2)
    tiers = [
        post(f"{gateway.url}/v1/messages", message(stream=True)).headers["x-switchex-tier"]
        for _ in range(3)
    ]
    assert tiers == ["t2", "t2", "t2"]
    first = get(f"{gateway.url}/status").json()["tiers"][0]
    assert (first["state"], first["reason"]) == ("cooling", "overloaded")
    assert len(overloaded.model_requests()) == 1  # cooling: the next two never went there


def test_a_redirect_fails_over_and_is_not_followed(
    claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    class Redirecting(FakeAnthropic):
        async def messages(self, request: web.Request) -> web.StreamResponse:
            await self.record(request)
            raise web.HTTPFound(claude2.base_url + "/v1/messages")

    with Redirecting() as moved:
        gateway = make_gateway(moved, claude2)
        answer = post(f"{gateway.url}/v1/messages", message(stream=True))
        assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "t2")
        assert len(claude2.model_requests()) == 1
        assert get(f"{gateway.url}/status").json()["tiers"][0]["reason"] == "bad_response"


def test_content_after_a_slow_head_is_relayed_whole(
    claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude2)
    claude2.push(Reply(text="hello there", stall=0.05))
    answer = post(f"{gateway.url}/v1/messages", message(stream=True))
    assert answer.status == 200
    assert answer.body.count(b"event: content_block_delta") == 2
    assert answer.body.rstrip().endswith(b'{"type":"message_stop"}')
