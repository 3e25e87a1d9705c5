import json
from typing import Any

import orjson
import pytest

from switchex.errors import SwitchableError, UpstreamRejected
from switchex.providers.common import TOOL_ID_PATTERN, foreign_signature
from switchex.providers.openai.request import translate_request
from switchex.providers.openai.response import translate_completion

from .wire import fixture_bytes

Json = dict[str, Any]


def completion(message: Json, finish: str | None = "stop", **extra: Any) -> bytes:
    choice = {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
    return orjson.dumps({"id": "c", "object": "chat.completion", "choices": [choice], **extra})


@pytest.mark.parametrize(
    ("name", "types", "stop_reason"),
    [
        ("text.json", ["text"], "end_turn"),
        ("tool_calls.json", ["tool_use"], "tool_use"),
        ("parallel_tool_calls.json", ["text", "tool_use", "tool_use", "tool_use"], "tool_use"),
        ("deepseek_reasoning_tool_call.json", ["thinking", "tool_use"], "tool_use"),
        ("length.json", ["text"], "max_tokens"),
        ("content_filter.json", ["text"], "refusal"),
    ],
)
def test_fixtures_become_anthropic_messages(name: str, types: list[str], stop_reason: str) -> None:
    message = translate_completion(fixture_bytes(name), "served-model")
    assert [block["type"] for block in message["content"]] == types
    assert message["stop_reason"] == stop_reason
    assert message["model"] == "served-model"
    assert (message["type"], message["role"], message["stop_sequence"]) == (
        "message",
        "assistant",
        None,
    )
    assert message["id"].startswith("msg_")


def test_tool_calls_keep_arguments_and_map_ids_to_anthropic_pattern() -> None:
    message = translate_completion(fixture_bytes("parallel_tool_calls.json"), "m")
    calls = message["content"][1:]
    assert [c["input"] for c in calls] == [
        {"file_path": "/repo/a.py"},
        {"file_path": "/repo/b.py"},
        {"command": "git status"},
    ]
    assert [c["id"] for c in calls][:2] == ["call_r1", "call_r2"]
    assert all(TOOL_ID_PATTERN.match(c["id"]) for c in calls)


def test_reasoning_content_is_a_leading_thinking_block_with_a_foreign_signature() -> None:
    thinking = translate_completion(fixture_bytes("deepseek_reasoning_tool_call.json"), "m")[
        "content"
    ][0]
    assert thinking["thinking"].startswith("The user wants the tests run.")
    assert thinking["signature"] == foreign_signature("openai")


@pytest.mark.parametrize(
    ("name", "usage"),
    [
        ("text.json", (19, 7, 0)),
        ("cached_usage.json", (128, 3, 1920)),
        ("deepseek_reasoning_tool_call.json", (392, 120, 4608)),
    ],
)
def test_usage_separates_cached_prompt_tokens(name: str, usage: tuple[int, int, int]) -> None:
    got = translate_completion(fixture_bytes(name), "m")["usage"]
    assert (got["input_tokens"], got["output_tokens"], got["cache_read_input_tokens"]) == usage
    assert got["cache_creation_input_tokens"] == 0


def test_refusal_text_reaches_the_user() -> None:
    message = translate_completion(fixture_bytes("content_filter.json"), "m")
    assert message["content"] == [{"type": "text", "text": "I can't help with that."}]


def test_malformed_arguments_are_said_as_text_never_silently_empty() -> None:
    bad, double, empty = translate_completion(fixture_bytes("malformed_arguments.json"), "m")[
        "content"
    ]
    raw = '{"file_path": "/tmp/x", "content": "unterminated'
    assert bad["type"] == "text" and bad["text"].endswith(raw)
    assert double["input"] == {"command": "ls"}
    assert empty["input"] == {}


@pytest.mark.parametrize(
    ("finish", "expected"),
    [
        (None, "tool_use"),
        ("stop", "tool_use"),
        ("function_call", "tool_use"),
        ("length", "max_tokens"),
    ],
)
def test_tool_calls_stop_reason_whatever_the_server_says(finish: str | None, expected: str) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "Bash", "arguments": "{}"}}
    message = translate_completion(completion({"content": None, "tool_calls": [call]}, finish), "m")
    assert message["stop_reason"] == expected


def test_missing_tool_call_id_gets_a_fresh_anthropic_id() -> None:
    call = {"type": "function", "function": {"name": "Bash", "arguments": '{"command": "ls"}'}}
    block = translate_completion(completion({"tool_calls": [call]}), "m")["content"][0]
    assert TOOL_ID_PATTERN.match(block["id"]) and block["input"] == {"command": "ls"}


@pytest.mark.parametrize(
    "body",
    [
        fixture_bytes("empty_choices.json"),
        b"<html>502 Bad Gateway</html>",
        b'{"object": "list", "data": []}',
        b'{"choices": [{"index": 0, "finish_reason": "stop"}]}',
    ],
)
def test_a_body_that_is_no_completion_is_a_switchable_bad_response(body: bytes) -> None:
    with pytest.raises(SwitchableError) as caught:
        translate_completion(body, "m")
    assert (caught.value.status, caught.value.reason, caught.value.error_type) == (
        502,
        "bad_response",
        "api_error",
    )


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (429, SwitchableError),
        (400, UpstreamRejected),
        ("server_error", SwitchableError),
    ],
)
def test_an_error_object_with_status_200_is_mapped_by_its_code(code: Any, kind: type) -> None:
    body = orjson.dumps({"error": {"message": "Provider returned error", "code": code}})
    with pytest.raises(kind, match="Provider returned error"):
        translate_completion(body, "m")


def test_foreign_tool_ids_round_trip_through_a_later_request() -> None:
    calls = [
        {"id": tool_id, "type": "function", "function": {"name": "Bash", "arguments": "{}"}}
        for tool_id in ("functions.Bash:0", "call_abc")
    ]
    message = translate_completion(completion({"tool_calls": calls}), "kimi-k2")
    ids = [block["id"] for block in message["content"]]
    assert all(TOOL_ID_PATTERN.match(i) for i in ids) and ids[1] == "call_abc"
    results = [{"type": "tool_result", "tool_use_id": i, "content": "ok"} for i in ids]
    request = {
        "model": "claude",
        "max_tokens": 10,
        "messages": [
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": message["content"]},
            {"role": "user", "content": results},
        ],
    }
    sent = translate_request(json.loads(json.dumps(request)), "kimi-k2")["messages"]
    assert [c["id"] for c in sent[1]["tool_calls"]] == ["functions.Bash:0", "call_abc"]
    assert [m["tool_call_id"] for m in sent[2:]] == ["functions.Bash:0", "call_abc"]
