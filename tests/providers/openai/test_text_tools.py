"""Text tool calls and llama.cpp answers in the openai translators (stream and whole)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from switchex.providers.base import ReplyPlan
from switchex.providers.common import TOOL_ID_PATTERN
from switchex.providers.openai.response import translate_completion
from switchex.providers.openai.stream import OpenAIStreamTranslator

from .wire import assemble

Json = dict[str, Any]

SCHEMA = {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}
PLAN = ReplyPlan(text_tools=True, tools={"Bash": SCHEMA})
CALL = '<tool_call>\n{"name": "Bash", "arguments": {"command": "ls"}}\n</tool_call>'
ANSWER = f"<think>list files</think>\nI will list them.\n{CALL}\n"


def chunk(content: str | None = None, finish: str | None = None, **delta: Any) -> bytes:
    if content is not None:
        delta["content"] = content
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n\n"


def stream(pieces: list[str], plan: ReplyPlan = PLAN) -> list[Json]:
    translator = OpenAIStreamTranslator("qwen", plan)
    raw = [chunk(p) for p in pieces] + [chunk(finish="stop"), b"data: [DONE]\n\n"]
    return [e for part in raw for e in translator.feed(part)] + translator.finish()


def completion(message: Json, finish: str = "stop") -> bytes:
    choice = {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
    return json.dumps({"choices": [choice]}).encode()


def kinds(message: Json) -> list[str]:
    return [block["type"] for block in message["content"]]


@pytest.mark.parametrize("size", [1, 4, 1000])
def test_a_streamed_text_call_becomes_a_tool_use_block(size: int) -> None:
    pieces = [ANSWER[i : i + size] for i in range(0, len(ANSWER), size)]
    message = assemble(stream(pieces))
    assert kinds(message) == ["thinking", "text", "tool_use"]
    thinking, text, tool = message["content"]
    assert thinking["thinking"] == "list files" and thinking["signature"] == "switchex:openai"
    assert text["text"] == "I will list them.\n"
    assert tool["name"] == "Bash" and tool["input"] == {"command": "ls"}
    assert TOOL_ID_PATTERN.match(tool["id"])
    assert message["stop_reason"] == "tool_use"


def test_text_streams_before_the_call_is_complete() -> None:
    translator = OpenAIStreamTranslator("qwen", PLAN)
    events = translator.feed(chunk("Sure, listing.\n") + chunk('{"name": "Bash", "argu'))
    deltas = [e["delta"] for e in events if e["type"] == "content_block_delta"]
    assert deltas == [{"type": "text_delta", "text": "Sure, listing.\n"}]


def test_without_the_setting_the_text_stays_text() -> None:
    message = assemble(stream([ANSWER], ReplyPlan()))
    assert kinds(message) == ["text"] and message["content"][0]["text"] == ANSWER
    assert message["stop_reason"] == "end_turn"


def test_the_whole_answer_is_parsed_the_same_way() -> None:
    message = translate_completion(completion({"content": ANSWER}), "qwen", PLAN)
    assert kinds(message) == ["thinking", "text", "tool_use"]
    assert message["content"][2]["input"] == {"command": "ls"}
    assert message["stop_reason"] == "tool_use"


def test_no_whitespace_only_text_block_between_calls() -> None:
    answer = f"{CALL}\n\n{CALL}\n"
    for events in (stream([answer]), stream(list(answer))):
        assert kinds(assemble(events)) == ["tool_use", "tool_use"]
    whole = translate_completion(completion({"content": answer}), "qwen", PLAN)
    assert kinds(whole) == ["tool_use", "tool_use"]


# -- llama.cpp answers -----------------------------------------------------------------------
def test_an_empty_answer_is_one_empty_text_block() -> None:
    whole = translate_completion(completion({"content": None}), "smollm2")
    assert whole["content"] == [{"type": "text", "text": ""}]
    streamed = assemble(stream([], ReplyPlan()))
    assert streamed["content"] == [{"type": "text", "text": ""}]
    assert streamed["stop_reason"] == "end_turn"


def test_the_legacy_function_call_is_ignored_beside_tool_calls() -> None:
    function = {"name": "Bash", "arguments": '{"command": "ls"}'}
    body = completion(
        {
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": function}],
            "function_call": {**function, "name": "Bash:"},
        },
        finish="tool_calls",
    )
    message = translate_completion(body, "smollm2")
    assert [(b["type"], b.get("name")) for b in message["content"]] == [("tool_use", "Bash")]


def test_a_whole_upstream_answer_is_replayed_as_a_stream() -> None:
    function = {"name": "Bash", "arguments": '{"command": "ls"}'}
    body = completion(
        {"content": "", "tool_calls": [{"id": "call_1", "type": "function", "function": function}]},
        finish="tool_calls",
    )
    translator = OpenAIStreamTranslator("smollm2", ReplyPlan(whole_upstream=True))
    events = translator.feed(body[:10]) + translator.feed(body[10:])
    assert events == []  # nothing can be said before the whole answer is in
    message = assemble(events + translator.finish())
    assert kinds(message) == ["tool_use"] and message["content"][0]["input"] == {"command": "ls"}
    assert message["stop_reason"] == "tool_use"


def test_a_garbage_whole_upstream_answer_ends_with_an_error_event() -> None:
    translator = OpenAIStreamTranslator("smollm2", ReplyPlan(whole_upstream=True))
    translator.feed(b"<html>oops</html>")
    assert [e["type"] for e in translator.finish()] == ["error"]


def test_repeated_ids_and_names_make_one_call() -> None:
    head = {"index": 0, "id": "call_1", "type": "function"}
    parts = ['{"comm', 'and": ', '"ls"}']
    raw = [
        chunk(tool_calls=[{**head, "function": {"name": "Bash", "arguments": part}}])
        for part in parts
    ]
    translator = OpenAIStreamTranslator("smollm2")
    events = [e for part in raw for e in translator.feed(part)]
    events += translator.feed(chunk(finish="tool_calls")) + translator.finish()
    message = assemble(events)
    assert [(b["name"], b["input"]) for b in message["content"]] == [("Bash", {"command": "ls"})]


def test_finish_twice_replays_the_whole_answer_once() -> None:
    translator = OpenAIStreamTranslator("smollm2", ReplyPlan(whole_upstream=True))
    translator.feed(completion({"content": "hi"}))
    assert kinds(assemble(translator.finish())) == ["text"]
    assert translator.finish() == []
