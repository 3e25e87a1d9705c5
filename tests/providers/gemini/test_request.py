import copy
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from switchex.fakes.gemini import validate_request
from switchex.providers.base import TierSpec
from switchex.providers.gemini import GeminiProvider, translate_request
from switchex.providers.gemini.ids import DUMMY_SIGNATURE, call_signature, new_call_id

from .support import requests

ENV = "Primary working directory: /home/me/repo\nIs a git repository: true"
TIER = TierSpec("gemini-flash", "https://generativelanguage.googleapis.com", "g-key")


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def assistant(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": list(blocks)}


def tool_use(tool_id: str, name: str = "Bash", **args: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": args}


def result(tool_id: str, content: Any = "ok", **extra: Any) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content, **extra}


def translate(model: str = "gemini-2.5-flash", cap: int | None = None, **request: Any) -> Any:
    request.setdefault("messages", [user("hi")])
    return translate_request({"max_tokens": 1000, **request}, model, cap)


def test_system_blocks_and_mid_conversation_system_messages_reach_system_instruction() -> None:
    system = [
        {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.332"},
        {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
    ]
    body = translate(system=system, messages=[user("hi"), {"role": "system", "content": ENV}])
    texts = [p["text"] for p in body["systemInstruction"]["parts"]]
    assert texts == ["x-anthropic-billing-header: cc_version=2.1.332", "You are Claude Code.", ENV]
    assert body["contents"] == [{"role": "user", "parts": [{"text": "hi"}]}]


def test_consecutive_turns_of_one_role_merge() -> None:
    body = translate(messages=[user("a"), user([{"type": "text", "text": "b"}]), assistant()])
    assert body["contents"] == [{"role": "user", "parts": [{"text": "a"}, {"text": "b"}]}]


def test_tool_results_become_function_responses_named_after_their_calls() -> None:
    messages = [
        user("list files"),
        assistant(
            {"type": "text", "text": "ok"}, tool_use("toolu_1", "Bash"), tool_use("toolu_2", "Read")
        ),
        user(
            [
                result("toolu_2", [{"type": "text", "text": "file"}]),
                result("toolu_1", "boom", is_error=True),
            ]
        ),
    ]
    contents = translate(messages=messages)["contents"]
    assert contents[1]["parts"][1] == {"functionCall": {"name": "Bash", "args": {}}}
    assert contents[2]["parts"] == [
        {"functionResponse": {"name": "Bash", "response": {"error": "boom"}}},
        {"functionResponse": {"name": "Read", "response": {"content": "file"}}},
    ]


def test_a_missing_result_is_answered_and_an_orphaned_one_becomes_text() -> None:
    messages = [user("go"), assistant(tool_use("toolu_1")), user([result("toolu_9", "late")])]
    parts = translate(messages=messages)["contents"][2]["parts"]
    assert parts[0]["functionResponse"]["response"] == {
        "error": "No result was returned for this call."
    }
    assert parts[1] == {"text": "[result of tool call toolu_9]\nlate"}


def test_images_and_thinking() -> None:
    png = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
    messages = [
        user(
            [
                {"type": "image", "source": png},
                {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
            ]
        ),
        assistant(
            {"type": "thinking", "thinking": "secret", "signature": "sig"},
            {"type": "text", "text": "seen"},
        ),
    ]
    contents = translate(messages=messages)["contents"]
    assert contents[0]["parts"] == [
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"text": "[image: https://x/y.png]"},
    ]
    assert contents[1] == {"role": "model", "parts": [{"text": "seen"}]}


def test_a_conversation_that_opens_with_the_model_gets_a_user_turn_first() -> None:
    contents = translate(messages=[assistant({"type": "text", "text": "hello"})])["contents"]
    assert [c["role"] for c in contents] == ["user", "model"]


@pytest.mark.parametrize(
    ("model", "signature"),
    [("gemini-3-pro-preview", DUMMY_SIGNATURE), ("gemini-2.5-flash", None)],
)
def test_calls_another_model_made_get_the_dummy_signature_only_where_needed(
    model: str, signature: str | None
) -> None:
    messages = [
        user("go"),
        assistant(tool_use("toolu_a"), tool_use("toolu_b")),
        user([result("toolu_a"), result("toolu_b")]),
    ]
    first, second = translate(model, messages=messages)["contents"][1]["parts"]
    assert first.get("thoughtSignature") == signature
    assert "thoughtSignature" not in second


@pytest.mark.parametrize(
    "signature", ["CiIBVKhc7nE4r+w/Tq9dXv0u3PZ1y8Ff2b0sHk4wN6mUoQ==", "CiIB-Khc_nE4", "YWJj"]
)
def test_a_gemini_signature_rides_in_the_tool_id_and_comes_back(signature: str) -> None:
    tool_id = new_call_id(signature)
    assert call_signature(tool_id) == signature
    messages = [user("go"), assistant(tool_use(tool_id)), user([result(tool_id)])]
    part = translate("gemini-3-pro-preview", messages=messages)["contents"][1]["parts"][0]
    assert part["thoughtSignature"] == signature


def test_an_id_that_only_looks_like_ours_carries_no_signature() -> None:
    assert call_signature("toolu_gm0123456789abcdef_sB9") is None
    assert call_signature("toolu_01ABC") is None


@pytest.mark.parametrize(
    ("choice", "config"),
    [
        ({"type": "auto"}, {"mode": "AUTO"}),
        ({"type": "any"}, {"mode": "ANY"}),
        ({"type": "none"}, {"mode": "NONE"}),
        ({"type": "tool", "name": "Bash"}, {"mode": "ANY", "allowedFunctionNames": ["Bash"]}),
    ],
)
def test_tool_choice(choice: Any, config: Any) -> None:
    tools = [
        {
            "name": "Bash",
            "input_schema": {"type": "object", "properties": {"c": {"type": "string"}}},
        }
    ]
    body = translate(tools=tools, tool_choice=choice)
    assert body["toolConfig"] == {"functionCallingConfig": config}
    assert body["tools"][0]["functionDeclarations"][0]["parameters"]["properties"] == {
        "c": {"type": "STRING"}
    }


@pytest.mark.parametrize(
    ("model", "max_tokens", "cap", "expected"),
    [
        ("gemini-2.5-flash", 128000, None, 65536),
        ("gemini-2.5-flash", 128000, 8000, 8000),
        ("gemini-2.0-flash", 32000, None, 8192),
        ("gemini-2.5-pro", 500, None, 500),
    ],
)
def test_max_tokens_is_clamped(model: str, max_tokens: int, cap: int | None, expected: int) -> None:
    body = translate(model, cap, max_tokens=max_tokens)
    assert body["generationConfig"]["maxOutputTokens"] == expected


def test_sampling_and_stop_sequences() -> None:
    config = translate(temperature=0.3, top_p=0.9, top_k=40, stop_sequences=list("abcdefg"))[
        "generationConfig"
    ]
    assert config["stopSequences"] == list("abcde")
    assert (config["temperature"], config["topP"], config["topK"]) == (0.3, 0.9, 40)


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        (
            "gemini-2.5-flash",
            {"type": "enabled", "budget_tokens": 10000},
            {"thinkingBudget": 10000, "includeThoughts": True},
        ),
        (
            "gemini-2.5-flash",
            {"type": "enabled", "budget_tokens": 99999},
            {"thinkingBudget": 24576, "includeThoughts": True},
        ),
        (
            "gemini-3-pro-preview",
            {"type": "adaptive"},
            {"thinkingBudget": -1, "includeThoughts": True},
        ),
        ("gemini-2.5-flash", {"type": "disabled"}, {"thinkingBudget": 0}),
        ("gemini-2.5-pro", {"type": "disabled"}, None),
        ("gemini-2.0-flash", {"type": "adaptive"}, None),
    ],
)
def test_thinking(model: str, thinking: Any, expected: Any) -> None:
    assert translate(model, thinking=thinking)["generationConfig"].get("thinkingConfig") == expected


def test_anthropic_only_fields_are_dropped() -> None:
    body = translate(
        metadata={"user_id": "u"},
        context_management={"edits": []},
        output_config={"effort": "medium"},
        service_tier="auto",
        stream=True,
    )
    assert set(body) == {"contents", "generationConfig"}


@pytest.mark.parametrize(
    ("stream", "action"), [(False, ":generateContent"), (True, ":streamGenerateContent?alt=sse")]
)
def test_build_call(stream: bool, action: str) -> None:
    tier = TierSpec(
        "g", "https://generativelanguage.googleapis.com/", "g-key", headers={"x-extra": "1"}
    )
    request = {"max_tokens": 10, "stream": stream, "messages": [user("hi")]}
    call = GeminiProvider().build_call(
        tier, request, "gemini-2.5-flash", {"x-api-key": "client", "authorization": "b"}
    )
    assert (
        call.url
        == f"https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash{action}"
    )
    assert call.stream is stream and call.method == "POST"
    assert dict(call.headers) == {
        "content-type": "application/json",
        "x-extra": "1",
        "x-goog-api-key": "g-key",
    }
    assert "g-key" not in call.url
    assert orjson.loads(call.body)["contents"][0]["parts"] == [{"text": "hi"}]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_any_request_translates_into_one_the_strict_api_accepts(request: dict[str, Any]) -> None:
    before = copy.deepcopy(request)
    for model in ("gemini-2.5-flash", "gemini-3-pro-preview"):
        call = GeminiProvider().build_call(TIER, request, model, {})
        assert validate_request(orjson.loads(call.body), model) is None
    assert request == before


# -- server tools ----------------------------------------------------------------------------
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 5}
WEB_FETCH = {"type": "web_fetch_20250910", "name": "web_fetch"}
CODE = {"type": "code_execution_20250825", "name": "code_execution"}


def server_tool_request(*tools: dict[str, Any]) -> dict[str, Any]:
    return {
        "max_tokens": 10,
        "system": "Be brief.",
        "messages": [user("news?")],
        "tools": list(tools),
    }


def test_web_search_and_fetch_are_served_by_geminis_own_tools() -> None:
    body = translate_request(server_tool_request(WEB_SEARCH, WEB_FETCH), "gemini-2.5-flash")
    assert body["tools"] == [{"googleSearch": {}}, {"urlContext": {}}]
    assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert validate_request(body, "gemini-2.5-flash") is None


def test_what_gemini_cannot_serve_is_removed_with_a_note() -> None:
    bash = {"name": "Bash", "input_schema": {"type": "object", "properties": {}}}
    body = translate_request(server_tool_request(bash, WEB_SEARCH, CODE), "gemini-2.5-flash")
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {"name": "Bash", "parameters": {"type": "OBJECT", "properties": {}}}
            ]
        }
    ] or [d["name"] for d in body["tools"][0]["functionDeclarations"]] == ["Bash"]
    note = body["systemInstruction"]["parts"][-1]["text"]
    assert "code_execution, web_search are not available on this fallback model" in note
    assert validate_request(body, "gemini-2.5-flash") is None
