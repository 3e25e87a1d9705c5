import itertools
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.gemini import FakeGemini, merge_chunks
from switchex.providers.gemini import GeminiProvider
from switchex.providers.gemini.ids import call_signature

from .support import assemble, fixture, without_ids


def run(data: bytes, splits: list[int] | None = None, model: str = "gemini-2.5-flash") -> list[Any]:
    translator = GeminiProvider().stream_translator(model)
    cuts = sorted({0, len(data), *(s % (len(data) + 1) for s in splits or [])})
    events = [e for a, b in itertools.pairwise(cuts) for e in translator.feed(data[a:b])]
    return events + translator.finish()


def test_text_stream() -> None:
    message = assemble(run(fixture("text.sse")))
    assert message["content"] == [{"type": "text", "text": "Hello! How can I help you today?"}]
    assert message["stop_reason"] == "end_turn" and message["model"] == "gemini-2.5-flash"
    assert (message["usage"]["input_tokens"], message["usage"]["output_tokens"]) == (12, 9)


def test_thoughts_text_and_signed_calls_stream_as_separate_blocks() -> None:
    message = assemble(run(fixture("signed_calls.sse"), model="gemini-3-pro-preview"))
    thinking, text, first, second = message["content"]
    assert thinking["thinking"].endswith("git status and the Python files.")
    assert thinking["signature"] == "switchex:gemini"
    assert text["text"] == "Let me look."
    assert (first["input"], second["input"]) == ({"command": "git status"}, {"pattern": "**/*.py"})
    assert call_signature(first["id"]) == "CiIBVKhc7nE4r+w/Tq9dXv0u3PZ1y8Ff2b0sHk4wN6mUoQ=="
    assert message["stop_reason"] == "tool_use"
    assert message["usage"]["output_tokens"] == 140


@pytest.mark.parametrize(
    ("name", "stop_reason", "last_text"),
    [
        ("blocked_prompt.sse", "refusal", "Gemini blocked this request (SAFETY)."),
        ("truncated.sse", "end_turn", "An answer that was cut off by a dropped conn"),
        ("garbage_line.sse", "end_turn", "Part one, part two."),
    ],
)
def test_streams_always_end_well_formed(name: str, stop_reason: str, last_text: str) -> None:
    message = assemble(run(fixture(name)))
    assert message["stop_reason"] == stop_reason
    assert message["content"][-1]["text"] == last_text


def test_an_error_mid_stream_becomes_an_error_event() -> None:
    events = run(fixture("error_midstream.sse"))
    assert [e["type"] for e in events][:3] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
    ]
    assert events[-1]["error"]["type"] == "overloaded_error"
    assert "overloaded" in events[-1]["error"]["message"]


@pytest.mark.parametrize(
    "data", [b"", b"<html>502</html>", b"data: nonsense\n\n", b"\xff\xfe\x00garbage"]
)
def test_a_stream_without_an_answer_ends_with_an_error(data: bytes) -> None:
    events = run(data)
    assert [e["type"] for e in events] == ["error"]


def test_nothing_after_the_finish_is_emitted() -> None:
    translator = GeminiProvider().stream_translator("gemini-2.5-flash")
    events = translator.feed(fixture("text.sse"))
    assert translator.feed(fixture("text.sse")) == [] and translator.finish() == []
    assert events[-1] == {"type": "message_stop"}


replies = st.builds(
    Reply,
    text=st.one_of(st.none(), st.text(min_size=1, max_size=40)),
    thinking=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    tool_calls=st.lists(
        st.builds(
            ToolCall,
            st.sampled_from(["Bash", "Read"]),
            st.dictionaries(st.text(max_size=5), st.integers(-9, 9), max_size=3),
        ),
        max_size=3,
    ),
    stop_reason=st.sampled_from([None, "max_tokens", "refusal", "MALFORMED_FUNCTION_CALL"]),
)


@settings(max_examples=150, deadline=None)
@given(
    replies,
    st.lists(st.integers(0, 10_000), max_size=8),
    st.sampled_from(["gemini-2.5-flash", "gemini-3-pro-preview"]),
)
def test_any_chunking_reassembles_to_the_non_streamed_answer(
    reply: Reply, splits: list[int], model: str
) -> None:
    chunks = FakeGemini().render(reply, model)
    data = b"".join(b"data: " + orjson.dumps(c) + b"\r\n\r\n" for c in chunks)
    streamed = assemble(run(data, splits, model))
    whole = GeminiProvider().translate_response(orjson.dumps(merge_chunks(chunks)), model)
    assert without_ids(streamed["content"]) == without_ids(whole["content"])
    assert (streamed["stop_reason"], streamed["usage"]) == (whole["stop_reason"], whole["usage"])
    streamed_signatures = [
        call_signature(b["id"]) for b in streamed["content"] if b["type"] == "tool_use"
    ]
    assert streamed_signatures == [
        call_signature(b["id"]) for b in whole["content"] if b["type"] == "tool_use"
    ]
