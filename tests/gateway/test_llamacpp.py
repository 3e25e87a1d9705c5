"""A llama.cpp-server tier through the gateway, against FakeOpenAI with llama.cpp's quirks.

Without `server: llama.cpp` the same fake breaks Claude Code's requests (tools ignored, an
empty stream); with it every answer is well-formed Anthropic JSON or SSE.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.openai import FakeOpenAI
from tests.client import message, post
from tests.helpers import GatewayServer, make_config, serve
from tests.providers.openai.wire import assemble

BASH = {
    "name": "Bash",
    "input_schema": {
        "type": "object",
        "properties": {"command": {"type": "string"}},
        "required": ["command"],
    },
}
CALL = ToolCall("Bash", {"command": "ls"})


@pytest.fixture
def llamacpp() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(quirks=("llamacpp",), models=("smollm2",)) as fake:
        yield fake  # type: ignore[misc]


def gateway_for(fake: FakeOpenAI, tmp_path: Path, **tier: Any) -> GatewayServer:
    config = {
        "name": "local",
        "provider": "openai",
        "base_url": f"{fake.base_url}/v1",
        "models": {"default": "smollm2"},
        **tier,
    }
    return serve(make_config([config], ping_interval=0.2), None)


@pytest.fixture
def gateway(llamacpp: FakeOpenAI, tmp_path: Path) -> Iterator[GatewayServer]:
    server = gateway_for(llamacpp, tmp_path, server="llama.cpp")
    yield server
    server.stop()


def test_a_streamed_request_with_tools_is_asked_whole_and_streamed_back(
    gateway: GatewayServer, llamacpp: FakeOpenAI
) -> None:
    llamacpp.push(Reply(tool_calls=[CALL]))
    answer = post(f"{gateway.url}/v1/messages", message("ls", stream=True, tools=[BASH]))
    assert answer.status == 200
    result = assemble(answer.events())
    assert [(b["type"], b["input"]) for b in result["content"]] == [("tool_use", CALL.input)]
    assert result["stop_reason"] == "tool_use"
    sent = llamacpp.bodies()[0]
    assert sent["tool_choice"] == "auto" and "stream" not in sent and "stream_options" not in sent


def test_a_tool_history_goes_with_empty_content_not_null(
    gateway: GatewayServer, llamacpp: FakeOpenAI
) -> None:
    use = {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls"}}
    done = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "a.py"}
    history = [
        {"role": "user", "content": "ls"},
        {"role": "assistant", "content": [use]},
        {"role": "user", "content": [done]},
    ]
    llamacpp.push(Reply(text="a.py is there"))
    request = message(stream=True, tools=[BASH]) | {"messages": history}
    answer = post(f"{gateway.url}/v1/messages", request)
    assert answer.status == 200
    assert assemble(answer.events())["content"] == [{"type": "text", "text": "a.py is there"}]
    assert llamacpp.bodies()[0]["messages"][1]["content"] == ""


def test_an_empty_reply_is_a_well_formed_empty_answer(
    gateway: GatewayServer, llamacpp: FakeOpenAI
) -> None:
    llamacpp.push(Reply(text=None), Reply(text=None))
    streamed = post(f"{gateway.url}/v1/messages", message("hi", stream=True, tools=[BASH]))
    assert assemble(streamed.events())["content"] == [{"type": "text", "text": ""}]
    whole = post(f"{gateway.url}/v1/messages", message("hi", tools=[BASH]))
    assert whole.status == 200 and whole.json()["content"] == [{"type": "text", "text": ""}]


def test_without_the_server_key_the_quirks_break_the_answer(
    llamacpp: FakeOpenAI, tmp_path: Path
) -> None:
    server = gateway_for(llamacpp, tmp_path)
    try:
        llamacpp.push(Reply(tool_calls=[CALL]))
        answer = post(f"{server.url}/v1/messages", message("ls", tools=[BASH]))
        assert answer.status == 200
        assert [b["type"] for b in answer.json()["content"]] == ["text"]  # tools ignored
    finally:
        server.stop()


@pytest.mark.parametrize("owner", ["me", "llamacpp"])
def test_a_local_llamacpp_server_is_detected_without_the_key(owner: str, tmp_path: Path) -> None:
    with FakeOpenAI(quirks=("llamacpp",), owned_by=owner) as fake:
        server = gateway_for(fake, tmp_path)
        try:
            fake.push(Reply(tool_calls=[CALL]))
            answer = post(f"{server.url}/v1/messages", message("ls", stream=True, tools=[BASH]))
            result = assemble(answer.events())
            assert [b["type"] for b in result["content"]] == ["tool_use"]
            assert [r.path for r in fake.received] == ["/v1/models", "/v1/chat/completions"]
            post(f"{server.url}/v1/messages", message("again"))
            assert [r.path for r in fake.received][2:] == ["/v1/chat/completions"]  # asked once
        finally:
            server.stop()


def test_a_whole_answer_in_place_of_a_stream_may_take_longer_than_first_byte_timeout(
    llamacpp: FakeOpenAI, tmp_path: Path
) -> None:
    """Its headers come only once it is generated: the whole-answer timeout applies."""
    server = gateway_for(llamacpp, tmp_path, server="llama.cpp", first_byte_timeout=0.3)
    try:
        llamacpp.push(Reply(tool_calls=[CALL], delay=0.8))
        answer = post(f"{server.url}/v1/messages", message("ls", stream=True, tools=[BASH]))
        assert [b["type"] for b in assemble(answer.events())["content"]] == ["tool_use"]
    finally:
        server.stop()
