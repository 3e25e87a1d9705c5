"""A relayed stream whose first word is a failure goes to the next tier, not to the client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiohttp import web

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import start_stream
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
