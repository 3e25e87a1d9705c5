"""Helpers for the openai provider tests: fixtures, and a strict reader of Anthropic streams."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from switchex.providers.openai.stream import OpenAIStreamTranslator

Json = dict[str, Any]

FIXTURES = Path(__file__).parents[2] / "fixtures" / "openai"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture(name: str) -> Any:
    return json.loads(fixture_bytes(name))


def translate_stream(chunks: list[bytes], model: str = "m") -> list[Json]:
    translator = OpenAIStreamTranslator(model)
    events = [event for chunk in chunks for event in translator.feed(chunk)]
    return events + translator.finish()


def assemble(events: list[Json]) -> Json:
    """The message a client builds from `events`, asserting Anthropic's sequencing rules:
    message_start first, one block open at a time with consecutive indexes, deltas only to the
    open block, message_delta after all blocks, message_stop (or an error) last."""
    assert events and events[0]["type"] == "message_start", events[:1]
    message: Json = copy.deepcopy(events[0]["message"])
    assert message["content"] == []
    parts: dict[int, str] = {}
    open_index: int | None = None
    for at, event in enumerate(events[1:], start=1):
        kind = event["type"]
        if kind == "content_block_start":
            assert open_index is None and event["index"] == len(message["content"]), event
            open_index = event["index"]
            message["content"].append(copy.deepcopy(event["content_block"]))
            parts[open_index] = ""
        elif kind == "content_block_delta":
            assert open_index is not None and event["index"] == open_index, event
            _apply(message["content"][open_index], event["delta"], parts, open_index)
        elif kind == "content_block_stop":
            assert open_index is not None and event["index"] == open_index, event
            block = message["content"][open_index]
            if block["type"] == "tool_use" and parts[open_index]:
                block["input"] = json.loads(parts[open_index])
            open_index = None
        elif kind == "message_delta":
            assert open_index is None, "message_delta with a block open"
            message["stop_reason"] = event["delta"]["stop_reason"]
            message["usage"] = event["usage"]
        elif kind in ("message_stop", "error"):
            assert at == len(events) - 1, f"{kind} is not the last event"
            if kind == "message_stop":
                assert message["stop_reason"] is not None and open_index is None
            else:
                message["error"] = event["error"]
        else:
            assert kind == "ping", event
    assert events[-1]["type"] in ("message_stop", "error"), events[-1]
    return message


def _apply(block: Json, delta: Json, parts: dict[int, str], index: int) -> None:
    kind = delta["type"]
    if kind == "text_delta":
        assert block["type"] == "text"
        block["text"] += delta["text"]
    elif kind == "thinking_delta":
        assert block["type"] == "thinking"
        block["thinking"] += delta["thinking"]
    elif kind == "signature_delta":
        assert block["type"] == "thinking"
        block["signature"] = delta["signature"]
    else:
        assert kind == "input_json_delta" and block["type"] == "tool_use", delta
        parts[index] += delta["partial_json"]


def without_ids(message: Json) -> list[Json]:
    """The content of a message with tool ids left out (ids are generated when missing)."""
    return [{k: v for k, v in block.items() if k != "id"} for block in message["content"]]
