"""The strict reader the real-model tests rely on rejects what a client would choke on."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from tests.localmodel.anthropic_wire import check_message, check_tool_calls, read_stream
from tests.localmodel.catalogue import TOOLS

Json = dict[str, Any]

USAGE = {"input_tokens": 3, "output_tokens": 2}
START: Json = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "smollm2",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": USAGE,
    },
}


def sse(*events: Json, name: str | None = None) -> bytes:
    frames = [f"event: {name or e['type']}\ndata: {json.dumps(e)}\n\n" for e in events]
    return "".join(frames).encode()


def block(index: int, content: Json, *deltas: Json) -> list[Json]:
    return [
        {"type": "content_block_start", "index": index, "content_block": content},
        *({"type": "content_block_delta", "index": index, "delta": d} for d in deltas),
        {"type": "content_block_stop", "index": index},
    ]


def end(reason: str = "end_turn") -> list[Json]:
    delta = {"stop_reason": reason, "stop_sequence": None}
    return [{"type": "message_delta", "delta": delta, "usage": USAGE}, {"type": "message_stop"}]


TEXT = block(0, {"type": "text", "text": ""}, {"type": "text_delta", "text": "hi"})
CALL = block(
    0,
    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
    {"type": "input_json_delta", "partial_json": '{"city": '},
    {"type": "input_json_delta", "partial_json": '"Oslo"}'},
)


def test_a_well_formed_stream_adds_up_to_its_message() -> None:
    ping = {"type": "ping"}
    message = read_stream(sse(START, ping, *CALL, *end("tool_use")) + b": keep-alive\n\n")

    assert message["content"][0]["input"] == {"city": "Oslo"}
    assert check_tool_calls(message, TOOLS)[0]["name"] == "get_weather"


@pytest.mark.parametrize(
    "body",
    [
        sse(*TEXT, *end()),  # no message_start
        sse(START, *TEXT, end()[0]),  # no message_stop
        sse(START, *TEXT[:2], *end()),  # a block left open
        sse(START, *end()),  # no block at all
        sse(START, TEXT[1], *end()),  # a delta without its block
        sse(START, *block(1, {"type": "text", "text": ""}), *end()),  # index 1 first
        sse(START, *CALL[:2], CALL[-1], *end("tool_use")),  # half a JSON object
        sse(START, *TEXT, *end("tool_use")),  # tool_use stop without a call
        sse(START, *TEXT, {"type": "error", "error": {"type": "api_error"}}),
        sse(START, *TEXT, *end(), name="message_start"),  # event name and data disagree
        sse(START, *TEXT, *end())[:-1],  # cut at the last line
    ],
)
def test_a_malformed_stream_fails(body: bytes) -> None:
    with pytest.raises((AssertionError, ValueError)):
        read_stream(body)


def test_a_call_outside_the_schema_fails() -> None:
    message = read_stream(sse(START, *CALL, *end("tool_use")))
    message["content"][0]["input"] = {"_raw_arguments": '{ "city": "}'}

    with pytest.raises(jsonschema.ValidationError, match="required property"):
        check_tool_calls(message, TOOLS)


def test_a_whole_message_needs_its_fields() -> None:
    message = {**START["message"], "content": [{"type": "text", "text": "hi"}]}
    with pytest.raises(AssertionError):
        check_message(message)  # stop_reason None
    assert check_message({**message, "stop_reason": "end_turn"})["content"][0]["text"] == "hi"
