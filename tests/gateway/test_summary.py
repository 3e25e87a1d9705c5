from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from switchex.fakes.anthropic import message_for, stream_events
from switchex.fakes.base import Reply, ToolCall
from switchex.gateway.summary import ResponseSummary, StreamObserver

MESSAGE = message_for(
    Reply(
        thinking="hmm",
        text="running it",
        tool_calls=[ToolCall("Bash", {"command": "ls"}), ToolCall("Read", {"file_path": "/x"})],
        input_tokens=120,
        output_tokens=33,
    ),
    "claude-opus-5-5",
)
STREAM = b"".join(stream_events(MESSAGE))
TOOL_IDS = [block["id"] for block in MESSAGE["content"] if block["type"] == "tool_use"]


def observe(chunks: list[bytes]) -> ResponseSummary:
    summary = ResponseSummary()
    observer = StreamObserver(summary)
    for chunk in chunks:
        observer.feed(chunk)
    return summary


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, len(STREAM)), max_size=10))
def test_a_relayed_stream_is_summarised_whatever_the_chunking(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    summary = observe(chunks)
    assert (summary.model, summary.stop_reason, summary.tool_use) == (
        "claude-opus-5-5",
        "tool_use",
        True,
    )
    assert (summary.input_tokens, summary.output_tokens) == (120, 33)
    assert summary.tool_ids == TOOL_IDS and len(TOOL_IDS) == 2


def test_crlf_streams_fall_back_to_the_full_parser() -> None:
    summary = observe([STREAM.replace(b"\n", b"\r\n")])
    assert summary.stop_reason == "tool_use" and summary.output_tokens == 33
    assert summary.tool_ids == TOOL_IDS


def test_an_error_event_is_noted() -> None:
    summary = observe(
        [b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n']
    )
    assert summary.error_type == "overloaded_error"


def test_a_whole_message_is_summarised() -> None:
    summary = ResponseSummary()
    summary.observe_message(MESSAGE)
    assert (summary.tool_use, summary.stop_reason, summary.input_tokens) == (True, "tool_use", 120)
    assert summary.tool_ids == TOOL_IDS
