"""Bedrock's event stream → Anthropic events: framing, CRCs, chunks, exceptions."""

from __future__ import annotations

import base64
import itertools

import orjson
import pytest
from botocore.eventstream import EventStreamBuffer
from hypothesis import given
from hypothesis import strategies as st

from switchex.fakes.anthropic import message_for
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.bedrock import anthropic_events, chunk_frame, exception_frame
from switchex.providers.bedrock import BedrockStreamTranslator

MESSAGE = message_for(
    Reply(text="hello from bedrock", tool_calls=[ToolCall("Write", {"file_path": "a.txt"})]),
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
)
EVENTS = anthropic_events(MESSAGE)
STREAM = b"".join(chunk_frame(event) for event in EVENTS)


def test_botocore_parses_the_fakes_frames() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(STREAM)
    messages = list(buffer)
    assert [m.headers[":event-type"] for m in messages] == ["chunk"] * len(EVENTS)
    first = orjson.loads(base64.b64decode(orjson.loads(messages[0].payload)["bytes"]))
    assert first["type"] == "message_start"


@given(st.lists(st.integers(min_value=1, max_value=len(STREAM)), max_size=12))
def test_any_split_gives_the_same_anthropic_events(cuts: list[int]) -> None:
    translator = BedrockStreamTranslator()
    events = []
    edges = [0, *sorted(set(cuts)), len(STREAM)]
    for start, end in itertools.pairwise(edges):
        events += translator.feed(STREAM[start:end])
    events += translator.finish()
    assert events == EVENTS
    assert [e["type"] for e in events][-2:] == ["message_delta", "message_stop"]


def test_throttling_in_the_stream_is_a_rate_limit_error() -> None:
    events = BedrockStreamTranslator().feed(exception_frame("throttlingException", "slow down"))
    assert events == [
        {
            "type": "error",
            "error": {
                "type": "rate_limit_error",
                "message": "Bedrock throttlingException: slow down",
            },
        }
    ]


@pytest.mark.parametrize("where", [5, 10, -2])
def test_a_corrupt_crc_ends_with_an_error_event(where: int) -> None:
    frame = bytearray(chunk_frame(EVENTS[0]))
    frame[where] ^= 0xFF
    translator = BedrockStreamTranslator()
    events = translator.feed(bytes(frame)) + translator.finish()
    assert events and events[-1]["type"] == "error"
    assert translator.feed(STREAM) == []  # nothing after a broken frame is trusted


def test_a_stream_cut_before_message_stop_ends_with_an_error() -> None:
    translator = BedrockStreamTranslator()
    events = translator.feed(b"".join(chunk_frame(e) for e in EVENTS[:3]))
    assert [e["type"] for e in events] == [e["type"] for e in EVENTS[:3]]
    assert (
        translator.finish()[0]["error"]["message"] == "Bedrock's stream ended before message_stop"
    )
