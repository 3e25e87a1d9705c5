"""A strict reader of Anthropic answers, as a client would read them off the wire.

`check_message` checks a whole Messages answer; `read_stream` parses an SSE body (framing,
`event:` names matching the data's `type`) and rebuilds the message while checking the
order rules: `message_start` first; blocks one at a time, with consecutive indexes; deltas
of the kind their block takes, only to the open block; a tool call's `partial_json` adding up
to one JSON object; `message_delta` after the last block; `message_stop` last. `ping` may
come anywhere. Any `error` event fails.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import jsonschema

Json = dict[str, Any]

STOP_REASONS = {"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"}
TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
_DELTA_FOR = {
    "text": {"text_delta"},
    "thinking": {"thinking_delta", "signature_delta"},
    "tool_use": {"input_json_delta"},
}


def check_usage(usage: Any) -> None:
    assert isinstance(usage, dict), usage
    for key in ("input_tokens", "output_tokens"):
        assert isinstance(usage[key], int) and usage[key] >= 0, usage


def check_block(block: Any) -> None:
    assert isinstance(block, dict), block
    kind = block.get("type")
    if kind == "text":
        assert set(block) <= {"type", "text", "citations"} and isinstance(block["text"], str)
    elif kind == "tool_use":
        assert set(block) == {"type", "id", "name", "input"}, block
        assert TOOL_ID.match(block["id"]) and block["name"], block
        assert isinstance(block["input"], dict), block
    else:
        assert kind == "thinking", block
        assert isinstance(block["thinking"], str) and isinstance(block["signature"], str)


def check_message(message: Any) -> Json:
    """A whole Messages answer; returns it."""
    assert isinstance(message, dict), message
    assert message["type"] == "message" and message["role"] == "assistant", message
    assert isinstance(message["id"], str) and message["id"], message
    assert isinstance(message["model"], str) and message["model"], message
    assert isinstance(message["content"], list), message
    for block in message["content"]:
        check_block(block)
    assert message["stop_reason"] in STOP_REASONS, message
    assert message.get("stop_sequence") is None or isinstance(message["stop_sequence"], str)
    has_tool_use = any(block["type"] == "tool_use" for block in message["content"])
    assert (message["stop_reason"] == "tool_use") == has_tool_use, message
    check_usage(message["usage"])
    return message


def sse_events(body: bytes) -> list[Json]:
    """The events of an SSE body; every event has `event:` and `data:` lines that agree."""
    text = body.decode("utf-8")
    assert text.endswith("\n\n"), f"stream does not end at an event boundary: {text[-200:]!r}"
    events: list[Json] = []
    for frame in text.split("\n\n")[:-1]:
        lines = [line for line in frame.split("\n") if not line.startswith(":")]
        if not lines:
            continue  # a comment-only keep-alive
        fields = dict(line.split(": ", 1) for line in lines)
        assert set(fields) == {"event", "data"}, frame
        data = json.loads(fields["data"])
        assert data["type"] == fields["event"], frame
        events.append(data)
    return events


def read_stream(body: bytes) -> Json:
    """The message an SSE answer adds up to, checking every ordering rule on the way."""
    events = [event for event in sse_events(body) if event["type"] != "ping"]
    assert events, "an empty stream"
    assert not [e for e in events if e["type"] == "error"], events
    assert events[0]["type"] == "message_start", events[0]
    message = copy.deepcopy(events[0]["message"])
    assert message["content"] == [] and message["stop_reason"] is None, message
    check_usage(message["usage"])
    state = _StreamState(message)
    for event in events[1:-2]:
        state.apply(event)
    assert state.open is None, "a block is still open"
    assert [e["type"] for e in events[-2:]] == ["message_delta", "message_stop"], events[-2:]
    message["stop_reason"] = events[-2]["delta"]["stop_reason"]
    message["stop_sequence"] = events[-2]["delta"].get("stop_sequence")
    check_usage(events[-2]["usage"])
    message["usage"] = {**message["usage"], **events[-2]["usage"]}
    assert message["content"], "a stream without any content block"
    return check_message(message)


class _StreamState:
    def __init__(self, message: Json) -> None:
        self.message = message
        self.open: int | None = None
        self.json = ""

    def apply(self, event: Json) -> None:
        kind = event["type"]
        content = self.message["content"]
        if kind == "content_block_start":
            assert self.open is None and event["index"] == len(content), event
            self.open, self.json = event["index"], ""
            content.append(copy.deepcopy(event["content_block"]))
            if content[-1]["type"] == "tool_use":
                assert content[-1]["input"] == {}, event
        elif kind == "content_block_delta":
            assert self.open is not None and event["index"] == self.open, event
            self._delta(content[self.open], event["delta"])
        else:
            assert kind == "content_block_stop", f"{kind} between blocks"
            assert self.open is not None and event["index"] == self.open, event
            if content[self.open]["type"] == "tool_use" and self.json:
                content[self.open]["input"] = json.loads(self.json)
            self.open = None

    def _delta(self, block: Json, delta: Json) -> None:
        assert delta["type"] in _DELTA_FOR[block["type"]], (block, delta)
        if delta["type"] == "text_delta":
            block["text"] += delta["text"]
        elif delta["type"] == "thinking_delta":
            block["thinking"] += delta["thinking"]
        elif delta["type"] == "signature_delta":
            block["signature"] = delta["signature"]
        else:
            self.json += delta["partial_json"]


def check_tool_calls(message: Json, tools: list[Json]) -> list[Json]:
    """Every tool_use names an offered tool and its input validates against that schema."""
    schemas = {tool["name"]: tool["input_schema"] for tool in tools}
    calls = [block for block in message["content"] if block["type"] == "tool_use"]
    for call in calls:
        assert call["name"] in schemas, f"{call['name']!r} was not offered: {call}"
        jsonschema.validate(call["input"], schemas[call["name"]])
    return calls
