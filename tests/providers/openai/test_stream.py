import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchex.providers.common import TOOL_ID_PATTERN, foreign_signature
from switchex.providers.openai.response import translate_completion
from switchex.providers.openai.stream import OpenAIStreamTranslator

from .strategies import tool_inputs
from .wire import assemble, fixture_bytes, translate_stream, without_ids

Json = dict[str, Any]


def sse(*chunks: Json | str, done: bool = True) -> bytes:
    lines = [c if isinstance(c, str) else "data: " + json.dumps(c) for c in chunks]
    return "".join(line + "\n\n" for line in lines).encode() + (
        b"data: [DONE]\n\n" if done else b""
    )


def delta(finish: str | None = None, **fields: Any) -> Json:
    return {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": fields, "finish_reason": finish}],
    }


def call(
    index: int | None, args: str = "", call_id: str | None = None, name: str | None = None
) -> Json:
    piece: Json = {"function": {"arguments": args}}
    if index is not None:
        piece["index"] = index
    if call_id:
        piece.update(id=call_id, type="function")
        piece["function"]["name"] = name
    return delta(tool_calls=[piece])


@pytest.mark.parametrize(
    "name",
    ["text", "tool_calls", "parallel_tool_calls", "deepseek_reasoning_tool_call", "length"],
)
def test_streams_assemble_to_the_same_message_as_the_completion(name: str) -> None:
    streamed = assemble(translate_stream([fixture_bytes(f"{name}.sse")]))
    whole = translate_completion(fixture_bytes(f"{name}.json"), "m")
    assert without_ids(streamed) == without_ids(whole)
    assert streamed["stop_reason"] == whole["stop_reason"]
    assert streamed["usage"] == whole["usage"]


def test_byte_by_byte_feeding_changes_nothing() -> None:
    raw = fixture_bytes("parallel_tool_calls.sse")
    one = assemble(translate_stream([raw]))
    split = assemble(translate_stream([raw[i : i + 1] for i in range(len(raw))]))
    assert without_ids(one) == without_ids(split)


def test_message_start_goes_out_with_the_first_chunk() -> None:
    translator = OpenAIStreamTranslator("served")
    events = translator.feed(sse(delta(role="assistant", content=""), done=False))
    assert [e["type"] for e in events] == ["message_start"]
    assert events[0]["message"]["model"] == "served" and events[0]["message"]["content"] == []


def test_thinking_block_ends_with_the_foreign_signature() -> None:
    events = translate_stream([fixture_bytes("deepseek_reasoning_tool_call.sse")])
    stop = next(i for i, e in enumerate(events) if e["type"] == "content_block_stop")
    assert events[stop - 1]["delta"] == {
        "type": "signature_delta",
        "signature": foreign_signature("openai"),
    }


def test_tool_arguments_stream_as_they_arrive() -> None:
    events = translate_stream([fixture_bytes("tool_calls.sse")])
    parts = [e["delta"]["partial_json"] for e in events if e["type"] == "content_block_delta"]
    assert len(parts) == 9 and json.loads("".join(parts)) == {
        "command": "ls -la",
        "description": "List files",
    }


@pytest.mark.parametrize(
    ("name", "inputs"),
    [
        ("interleaved_tool_calls.sse", [{"file_path": "/repo/a.py"}, {"pattern": "**/*.py"}]),
        ("ollama_tool_call_at_once.sse", [{"file_path": "/repo/README.md"}]),
    ],
)
def test_odd_servers_still_give_valid_tool_calls(name: str, inputs: list[Json]) -> None:
    message = assemble(translate_stream([fixture_bytes(name)]))
    assert [b["input"] for b in message["content"]] == inputs
    assert message["stop_reason"] == "tool_use"


@pytest.mark.parametrize(
    ("fragments", "expected"),
    [
        ([], {}),  # no arguments at all
        (['"{\\"a\\": 1}"'], {"a": 1}),  # double-encoded
        (["  ", ' {"a"', ": 2}"], {"a": 2}),
    ],
)
def test_tool_input_is_always_whole_json(fragments: list[str], expected: Json) -> None:
    chunks = [call(0, "", "c1", "Bash"), *(call(0, f) for f in fragments), delta("tool_calls")]
    message = assemble(translate_stream([sse(*chunks)]))
    assert message["content"][0]["input"] == expected


def test_calls_without_index_are_told_apart_by_id() -> None:
    chunks = [
        call(None, "", "c1", "A"),
        call(None, '{"x": 1}'),
        call(None, "{}", "c2", "B"),
        delta("tool_calls"),
    ]
    message = assemble(translate_stream([sse(*chunks)]))
    assert [(b["id"], b["name"], b["input"]) for b in message["content"]] == [
        ("c1", "A", {"x": 1}),
        ("c2", "B", {}),
    ]


def test_foreign_ids_are_mapped_in_streams() -> None:
    message = assemble(translate_stream([fixture_bytes("parallel_tool_calls.sse")]))
    assert all(
        TOOL_ID_PATTERN.match(b["id"]) for b in message["content"] if b["type"] == "tool_use"
    )


def test_in_stream_error_object_becomes_an_anthropic_error_event() -> None:
    events = translate_stream([fixture_bytes("openrouter_error_midstream.sse")])
    message = assemble(events)
    assert message["error"]["type"] == "api_error"
    assert "Provider disconnected" in message["error"]["message"]
    assert "message_stop" not in [e["type"] for e in events]


@pytest.mark.parametrize(
    ("raw", "stop_reason"),
    [
        (sse(delta(content="hi"), delta("stop"), done=False), "end_turn"),  # [DONE] missing
        (sse(delta(content="hi")), "end_turn"),  # finish_reason missing
        (sse(delta(content="hi"), done=False), "end_turn"),  # both missing, nothing half-done
        (sse(call(0, '{"a": 1}', "c1", "Bash")), "tool_use"),
    ],
)
def test_streams_missing_their_end_markers_still_end_well_formed(
    raw: bytes, stop_reason: str
) -> None:
    message = assemble(translate_stream([raw]))
    assert message["stop_reason"] == stop_reason and "error" not in message


@pytest.mark.parametrize(
    "raw",
    [
        fixture_bytes("cut_in_tool_call.sse"),  # a half-written Write must not run
        b"",
        b"data: {not json\n\n\x00\xffgarbage\n\n",
        b"data: [DONE]\n\n",
    ],
)
def test_cut_or_empty_streams_end_with_an_error_event(raw: bytes) -> None:
    events = translate_stream([raw])
    assert events[-1]["type"] == "error"
    assert "message_stop" not in [e["type"] for e in events]


def test_garbage_lines_are_skipped() -> None:
    raw = sse(
        delta(content="a"),
        "data: {oops",
        ": comment",
        "data: [1]",
        "event: x",
        delta(content="b"),
        delta("stop"),
    )
    assert assemble(translate_stream([raw]))["content"] == [{"type": "text", "text": "ab"}]


def test_usage_from_the_last_chunk_reaches_message_delta() -> None:
    events = translate_stream([fixture_bytes("deepseek_reasoning_tool_call.sse")])
    usage = next(e for e in events if e["type"] == "message_delta")["usage"]
    assert (usage["input_tokens"], usage["output_tokens"], usage["cache_read_input_tokens"]) == (
        392,
        120,
        4608,
    )


def _cut(text: str, points: list[int]) -> list[str]:
    cuts = sorted({p % (len(text) + 1) for p in points})
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


@settings(max_examples=150, deadline=None)
@given(
    inputs=st.lists(tool_inputs, min_size=1, max_size=3),
    arg_cuts=st.lists(st.integers(0, 10_000), max_size=6),
    byte_cuts=st.lists(st.integers(0, 100_000), max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_streamed_arguments_reassemble_whatever_the_chunking(
    inputs: list[Json], arg_cuts: list[int], byte_cuts: list[int], order: Any
) -> None:
    queues = []
    for index, value in enumerate(inputs):
        pieces = _cut(orjson.dumps(value).decode(), arg_cuts)
        queues.append(
            [call(index, "", f"call_{index}", f"T{index}")] + [call(index, p) for p in pieces]
        )
    chunks: list[Json] = []
    while any(queues):  # interleave the calls' fragments, each call's own order kept
        queue = order.choice([q for q in queues if q])
        chunks.append(queue.pop(0))
    raw = sse(delta(content="x"), *chunks, delta("tool_calls"))
    message = assemble(translate_stream(_cut_bytes(raw, byte_cuts)))
    tools = [b for b in message["content"] if b["type"] == "tool_use"]
    assert sorted((b["name"], orjson.dumps(b["input"])) for b in tools) == [
        (f"T{i}", orjson.dumps(v)) for i, v in enumerate(inputs)
    ]  # blocks come in the order calls first appeared


def _cut_bytes(raw: bytes, points: list[int]) -> list[bytes]:
    cuts = sorted({p % (len(raw) + 1) for p in points})
    return [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
