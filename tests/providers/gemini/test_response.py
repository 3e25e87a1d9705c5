from typing import Any

import pytest

from switchex.errors import SwitchableError, UpstreamRejected
from switchex.providers.common import TOOL_ID_PATTERN
from switchex.providers.gemini import GeminiProvider
from switchex.providers.gemini.ids import call_signature

from .support import fixture


def translate(name: str, model: str = "gemini-2.5-flash") -> dict[str, Any]:
    return GeminiProvider().translate_response(fixture(name), model)


@pytest.mark.parametrize(
    ("name", "stop_reason", "types"),
    [
        ("text.json", "end_turn", ["text"]),
        ("function_call.json", "tool_use", ["text", "tool_use"]),
        ("parallel_calls.json", "tool_use", ["tool_use", "tool_use"]),
        ("thoughts.json", "end_turn", ["thinking", "text"]),
        ("max_tokens.json", "max_tokens", ["text"]),
        ("safety.json", "refusal", ["text"]),
        ("blocked_prompt.json", "refusal", ["text"]),
        ("no_candidates.json", "refusal", ["text"]),
        ("malformed_call.json", "end_turn", ["text"]),
    ],
)
def test_answers_become_anthropic_messages(name: str, stop_reason: str, types: list[str]) -> None:
    message = translate(name)
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["stop_reason"] == stop_reason
    assert [b["type"] for b in message["content"]] == types


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("blocked_prompt.json", "blocked this request (PROHIBITED_CONTENT)"),
        ("safety.json", "withheld its answer (SAFETY)"),
        ("no_candidates.json", "no answer"),
        ("malformed_call.json", "malformed tool call"),
    ],
)
def test_the_user_is_told_why_an_answer_is_missing(name: str, words: str) -> None:
    assert words in translate(name)["content"][-1]["text"]


def test_tool_calls_get_valid_ids_complete_input_and_keep_the_signature() -> None:
    first, second = translate("parallel_calls.json")["content"]
    assert first["input"] == {"command": "git status"} and second["name"] == "Glob"
    assert all(TOOL_ID_PATTERN.match(b["id"]) for b in (first, second))
    assert call_signature(first["id"]) == "CiIBVKhc7nE4r+w/Tq9dXv0u3PZ1y8Ff2b0sHk4wN6mUoQ=="
    assert call_signature(second["id"]) is None
    assert first["id"] != second["id"]


def test_thoughts_become_one_thinking_block_with_a_foreign_signature() -> None:
    thinking, text = translate("thoughts.json")["content"]
    assert thinking["thinking"].endswith("haiku. Keep it about autumn.")
    assert thinking["signature"] == "switchex:gemini"
    assert text == {"type": "text", "text": "Leaves drift on the stream"}


@pytest.mark.parametrize(
    ("name", "usage"),
    [
        ("text.json", (12, 9, 0)),
        ("thoughts.json", (20, 206, 0)),
        ("cached_usage.json", (8000, 53, 32000)),
    ],
)
def test_usage(name: str, usage: tuple[int, int, int]) -> None:
    got = translate(name)["usage"]
    assert (got["input_tokens"], got["output_tokens"], got["cache_read_input_tokens"]) == usage


def test_model_names_the_served_model() -> None:
    assert translate("parallel_calls.json", "gemini-3")["model"] == "gemini-3-pro-preview"
    assert translate("text.json", "models/gemini-x")["model"] == "gemini-2.5-flash"


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'{"hello": "world"}', b""])
def test_garbage_is_a_broken_tier(body: bytes) -> None:
    with pytest.raises(SwitchableError) as caught:
        GeminiProvider().translate_response(body, "gemini-2.5-flash")
    assert caught.value.status == 502 and caught.value.reason == "bad_response"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("error_429_retryinfo.json", SwitchableError), ("error_400.json", UpstreamRejected)],
)
def test_an_error_object_in_a_200_body_is_mapped(name: str, kind: type) -> None:
    with pytest.raises(kind):
        translate(name)
