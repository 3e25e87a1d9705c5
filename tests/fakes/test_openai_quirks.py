"""FakeOpenAI's real-server deviations: llama.cpp's quirks, text-only models, text tool calls."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.openai import FakeOpenAI
from switchex.fakes.openai_quirks import LLAMACPP_NO_VISION, OLLAMA_NO_VISION, SHAPES
from switchex.providers.texttools import parse_text

from .test_openai import VALID, post

Json = dict[str, Any]
CALL = ToolCall("Bash", {"command": "ls", "timeout": 5})
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR"}}


@pytest.fixture
def llamacpp() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(quirks=("llamacpp",), vision=False) as fake:
        yield fake  # type: ignore[misc]


def body(**extra: Any) -> Json:
    return {**copy.deepcopy(VALID), **extra}


def data_lines(raw: bytes) -> list[Any]:
    lines = [line[6:] for line in raw.split(b"\n") if line.startswith(b"data: ")]
    return [orjson.loads(line) for line in lines if line != b"[DONE]"]


def test_llamacpp_ignores_tools_without_tool_choice(llamacpp: FakeOpenAI) -> None:
    llamacpp.push(Reply(tool_calls=[CALL]), Reply(tool_calls=[CALL]))
    _, _, plain = post(llamacpp, body(), key=None)
    assert "tool_calls" not in orjson.loads(plain)["choices"][0]["message"]
    _, _, called = post(llamacpp, body(tool_choice="auto"), key=None)
    message = orjson.loads(called)["choices"][0]["message"]
    assert message["tool_calls"][0]["function"]["name"] == "Bash"
    assert message["function_call"]["name"] == "Bash:"  # the stray colon, as the real one


def test_llamacpp_streams_nothing_for_automatic_tool_choice(llamacpp: FakeOpenAI) -> None:
    llamacpp.push(Reply(tool_calls=[CALL]))
    status, _, raw = post(llamacpp, body(tool_choice="auto", stream=True), key=None)
    assert (status, raw) == (200, b"")


def test_llamacpp_repeats_id_and_name_in_streamed_calls(llamacpp: FakeOpenAI) -> None:
    llamacpp.push(Reply(tool_calls=[CALL]))
    forced = {"type": "function", "function": {"name": "Bash"}}
    _, _, raw = post(llamacpp, body(tool_choice=forced, stream=True), key=None)
    calls = [c["choices"][0]["delta"]["tool_calls"][0] for c in data_lines(raw)[1:-1]]
    assert len(calls) > 1
    assert all(c["id"] == calls[0]["id"] and c["function"]["name"] == "Bash" for c in calls)


def test_llamacpp_fails_null_content_beside_tool_calls(llamacpp: FakeOpenAI) -> None:
    nulled = body(tool_choice="auto")
    nulled["messages"][2]["content"] = None
    assert post(llamacpp, nulled, key=None)[0] == 500
    assert post(llamacpp, body(tool_choice="auto"), key=None)[0] == 200  # "" works


@pytest.mark.parametrize(
    ("quirks", "status", "wording"),
    [(("llamacpp",), 500, LLAMACPP_NO_VISION), ((), 400, OLLAMA_NO_VISION)],
)
def test_text_only_models_refuse_images(quirks: tuple[str, ...], status: int, wording: str) -> None:
    with FakeOpenAI(quirks=quirks, vision=False) as fake:
        pictured = body()
        pictured["messages"][1]["content"].append(IMAGE)
        answered, _, raw = post(fake, pictured, key=None)
        assert (answered, orjson.loads(raw)["error"]["message"]) == (status, wording)
        assert post(fake, body(), key=None)[0] == 200


@pytest.mark.parametrize("shape", SHAPES)
def test_tool_calls_printed_as_text_parse_back(shape: str) -> None:
    with FakeOpenAI() as fake:
        fake.push(Reply(text="Listing.", tool_calls=[CALL], tool_call_text=shape))
        _, _, raw = post(fake, body(), key=None)
    message = orjson.loads(raw)["choices"][0]["message"]
    assert "tool_calls" not in message and message["content"].startswith("Listing.\n")
    properties = {"command": {"type": "string"}, "timeout": {"type": "number"}}
    schema = {"type": "object", "properties": properties}
    pieces = parse_text(message["content"], {"Bash": schema})
    assert [(p.name, p.input) for p in pieces if p.kind == "tool"] == [("Bash", CALL.input)]
