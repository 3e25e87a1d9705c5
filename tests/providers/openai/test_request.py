import copy
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchex.fakes.openai import validate_request
from switchex.providers.openai.messages import NO_RESULT, TOOL_ERROR_PREFIX
from switchex.providers.openai.request import Dialect, translate_request

from .strategies import MODELS, anthropic_requests
from .wire import fixture

Json = dict[str, Any]


def user(*blocks: Json | str) -> Json:
    content = [{"type": "text", "text": b} if isinstance(b, str) else b for b in blocks]
    return {"role": "user", "content": content}


def tool_use(tool_id: str, name: str = "Bash", **args: Any) -> Json:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": args}


def result(tool_id: str, content: Any = "out", **extra: Any) -> Json:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content, **extra}


def translate(messages: list[Json], model: str = "gpt-4o", **request: Any) -> Json:
    return translate_request(
        {"model": "claude", "max_tokens": 100, "messages": messages, **request}, model
    )


def test_claude_code_request_matches_the_recorded_translation() -> None:
    case = fixture("claude_code_request.json")
    original = copy.deepcopy(case["anthropic"])
    body = translate_request(case["anthropic"], case["served_model"])
    assert body == case["openai"]
    assert case["anthropic"] == original  # the next tier gets the request whole
    assert validate_request(body) is None


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("Be brief.", [{"role": "system", "content": "Be brief."}]),
        (
            [
                {"type": "text", "text": "x-anthropic-billing-header: cc_version=1"},
                {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}},
            ],
            [
                {
                    "role": "system",
                    "content": "x-anthropic-billing-header: cc_version=1\n\nBe brief.",
                }
            ],
        ),
        (None, []),
    ],
)
def test_system_becomes_one_leading_system_message(system: Any, expected: list[Json]) -> None:
    extra = {} if system is None else {"system": system}
    body = translate([user("hi")], **extra)
    assert body["messages"] == [*expected, {"role": "user", "content": "hi"}]


@pytest.mark.parametrize("content", ["cwd: /repo", [{"type": "text", "text": "cwd: /repo"}]])
def test_system_role_messages_stay_in_place(content: Any) -> None:
    messages = [user("a"), {"role": "system", "content": content}, user("b")]
    roles = [(m["role"], m["content"]) for m in translate(messages)["messages"]]
    assert roles == [("user", "a"), ("system", "cwd: /repo"), ("user", "b")]


@pytest.mark.parametrize(
    ("source", "url"),
    [
        (
            {"type": "base64", "media_type": "image/jpeg", "data": "AAAA"},
            "data:image/jpeg;base64,AAAA",
        ),
        ({"type": "url", "url": "https://x.test/a.png"}, "https://x.test/a.png"),
    ],
)
def test_images_become_image_url_parts(source: Json, url: str) -> None:
    body = translate([user("look", {"type": "image", "source": source})])
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": url}},
    ]


def test_tool_results_come_first_in_order_then_the_turns_text() -> None:
    messages = [
        user("go"),
        {"role": "assistant", "content": [tool_use("t1"), tool_use("t2")]},
        user("and then", result("t2", "two"), result("t1", [{"type": "text", "text": "one"}])),
    ]
    out = translate(messages)["messages"][1:]
    assert [m["role"] for m in out] == ["assistant", "tool", "tool", "user"]
    assert [(m["tool_call_id"], m["content"]) for m in out[1:3]] == [("t2", "two"), ("t1", "one")]
    assert out[3]["content"] == "and then"


def test_tool_error_is_marked_and_tool_images_follow_as_user_content() -> None:
    image = {"type": "image", "source": {"type": "url", "url": "https://x.test/s.png"}}
    messages = [
        user("go"),
        {"role": "assistant", "content": [tool_use("t1")]},
        user(result("t1", [{"type": "text", "text": "boom"}, image], is_error=True)),
    ]
    tool, after = translate(messages)["messages"][2:]
    assert tool["content"].startswith(TOOL_ERROR_PREFIX + "boom")
    assert after == {
        "role": "user",
        "content": [{"type": "image_url", "image_url": {"url": "https://x.test/s.png"}}],
    }


def test_assistant_tool_use_becomes_tool_calls_with_json_arguments() -> None:
    turn = {
        "role": "assistant",
        "content": [{"type": "text", "text": "ok"}, tool_use("t1", command="ls")],
    }
    body = translate([user("go"), turn, user(result("t1"))])
    assistant = body["messages"][1]
    assert assistant["content"] == "ok"
    call = assistant["tool_calls"][0]
    assert (call["id"], call["function"]["name"]) == ("t1", "Bash")
    assert orjson.loads(call["function"]["arguments"]) == {"command": "ls"}


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        ("gpt-4o", "plan", "plan"),
        ("gpt-4o", "", None),  # Claude's thinking with display omitted: nothing to replay
        ("deepseek-reasoner", "", ""),  # DeepSeek 400s when a tool-calling turn lacks the field
        ("deepseek/deepseek-r1", "plan", "plan"),
    ],
)
def test_thinking_is_replayed_as_reasoning_content(
    model: str, thinking: str, expected: str | None
) -> None:
    turn = {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": thinking, "signature": "sig"},
            {"type": "redacted_thinking", "data": "opaque"},
            tool_use("t1"),
        ],
    }
    assistant = translate([user("go"), turn, user(result("t1"))], model=model)["messages"][1]
    assert assistant.get("reasoning_content") == expected
    assert "opaque" not in orjson.dumps(assistant).decode()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"type": "text", "media_type": "text/plain", "data": "notes"}, "notes"),
        ({"type": "base64", "media_type": "application/pdf", "data": "JVBE"}, "[document omitted"),
    ],
)
def test_documents_become_text_or_a_short_note(source: Json, expected: str) -> None:
    body = translate([user({"type": "document", "source": source})])
    assert body["messages"][0]["content"].startswith(expected)


TOOLS = [
    {"name": "Bash", "description": "run", "input_schema": {"type": "object", "properties": {}}}
]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ({"type": "auto"}, {}),
        ({"type": "any"}, {"tool_choice": "required"}),
        ({"type": "none"}, {"tool_choice": "none"}),
        (
            {"type": "tool", "name": "Bash"},
            {"tool_choice": {"type": "function", "function": {"name": "Bash"}}},
        ),
        ({"type": "auto", "disable_parallel_tool_use": True}, {"parallel_tool_calls": False}),
    ],
)
def test_tools_and_tool_choice(choice: Json, expected: Json) -> None:
    body = translate([user("go")], tools=TOOLS, tool_choice=choice)
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "Bash",
                "description": "run",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]
    assert {k: body[k] for k in ("tool_choice", "parallel_tool_calls") if k in body} == expected


def test_no_tool_parameters_without_tools() -> None:
    body = translate([user("go")], tool_choice={"type": "any", "disable_parallel_tool_use": True})
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & set(body)


@pytest.mark.parametrize(
    ("model", "requested", "tier_cap", "key", "expected"),
    [
        ("deepseek-chat", 128000, None, "max_tokens", 8192),
        ("deepseek/deepseek-chat", 4000, None, "max_tokens", 4000),
        ("deepseek-reasoner", 128000, None, "max_tokens", 65536),
        ("qwen2.5-coder:7b", 32000, 4096, "max_tokens", 4096),
        ("gpt-4o", 32000, None, "max_tokens", 32000),
        ("o3-mini", 32000, None, "max_completion_tokens", 32000),
    ],
)
def test_max_tokens_is_clamped(
    model: str, requested: int, tier_cap: int | None, key: str, expected: int
) -> None:
    request = {"model": "claude", "max_tokens": requested, "messages": [user("go")]}
    body = translate_request(request, model, tier_cap)
    assert body[key] == expected


def test_sampling_stop_and_stream_options() -> None:
    body = translate(
        [user("go")], temperature=0.2, top_p=0.9, stop_sequences=list("abcdef"), stream=True
    )
    assert (body["temperature"], body["top_p"], body["stop"]) == (0.2, 0.9, list("abcd"))
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert "stream" not in translate([user("go")])


@pytest.mark.parametrize(
    "key",
    [
        "thinking",
        "metadata",
        "context_management",
        "output_config",
        "top_k",
        "service_tier",
        "system",
    ],
)
def test_anthropic_only_parameters_are_not_sent(key: str) -> None:
    values: Json = {
        "thinking": {"type": "adaptive"},
        "metadata": {"user_id": "u"},
        "top_k": 5,
        "context_management": {"edits": []},
        "output_config": {"effort": "low"},
        "service_tier": "auto",
        "system": "s",
    }
    body = translate([user("go")], **{key: values[key]})
    assert key not in body and validate_request(body) is None


def test_served_model_replaces_the_requested_one() -> None:
    assert translate([user("go")], model="qwen2.5-coder:7b")["model"] == "qwen2.5-coder:7b"


def test_system_message_between_call_and_result_moves_after_the_results() -> None:
    messages = [
        user("go"),
        {"role": "assistant", "content": [tool_use("t1")]},
        {"role": "system", "content": "env"},
        user(result("t1")),
    ]
    roles = [m["role"] for m in translate(messages)["messages"]]
    assert roles == ["user", "assistant", "tool", "system"]


def test_unanswered_calls_and_orphan_results_are_repaired() -> None:
    messages = [
        user("go"),
        {"role": "assistant", "content": [tool_use("t1")]},
        user("next", result("t9", "late")),
    ]
    body = translate(messages)
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "user", "user"]
    assert body["messages"][2] == {"role": "tool", "tool_call_id": "t1", "content": NO_RESULT}
    assert "late" in body["messages"][3]["content"]
    assert validate_request(body) is None


@settings(max_examples=150, deadline=None)
@given(
    request=anthropic_requests(),
    model=st.sampled_from(MODELS),
    cap=st.none() | st.integers(1, 9000),
)
def test_any_valid_request_translates_into_one_a_strict_server_accepts(
    request: Json, model: str, cap: int | None
) -> None:
    original = copy.deepcopy(request)
    body = translate_request(request, model, cap)
    assert validate_request(body) is None
    assert request == original
    orjson.dumps(body)


def test_long_tool_ids_from_gemini_are_shortened_consistently() -> None:
    from switchex.providers.openai.request import translate_request

    long_id = "toolu_gm0123456789abcdef_b" + "A" * 2000
    request = {
        "model": "m",
        "max_tokens": 10,
        "messages": [
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": long_id, "name": "Bash", "input": {"command": "ls"}}
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": long_id, "content": "ok"}],
            },
        ],
    }
    messages = translate_request(request, "deepseek-chat")["messages"]
    call_id = messages[1]["tool_calls"][0]["id"]
    assert len(call_id) <= 64
    assert messages[2]["tool_call_id"] == call_id


# -- llama.cpp and server tools --------------------------------------------------------------
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 5}
BASH_TOOL = {"name": "Bash", "input_schema": {"type": "object"}}


def with_tools(*tools: Json, **extra: Any) -> Json:
    return {"max_tokens": 10, "messages": [user("hi")], "tools": list(tools), **extra}


def test_llamacpp_gets_tool_choice_auto_spelled_out() -> None:
    llamacpp = Dialect(explicit_auto=True)
    assert translate_request(with_tools(BASH_TOOL), "m", None, llamacpp)["tool_choice"] == "auto"
    assert "tool_choice" not in translate_request(with_tools(BASH_TOOL), "m")
    forced = with_tools(BASH_TOOL, tool_choice={"type": "any"})
    assert translate_request(forced, "m", None, llamacpp)["tool_choice"] == "required"
    assert "tool_choice" not in translate_request(with_tools(), "m", None, llamacpp)


def test_a_server_tool_is_removed_with_a_note_to_the_model() -> None:
    request = with_tools(BASH_TOOL, WEB_SEARCH, system="Be brief.")
    body = translate_request(request, "qwen")
    assert [t["function"]["name"] for t in body["tools"]] == ["Bash"]
    system = body["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("Be brief.\n\n")
    assert "web_search are not available on this fallback model" in system["content"]
    assert "plugins" not in body and validate_request(body) is None


def test_a_note_makes_a_system_message_when_there_is_none() -> None:
    body = translate_request(
        with_tools(WEB_SEARCH, tool_choice={"type": "tool", "name": "web_search"}), "m"
    )
    assert (
        body["messages"][0]["role"] == "system" and "web_search" in body["messages"][0]["content"]
    )
    assert "tools" not in body and "tool_choice" not in body
    assert validate_request(body) is None


def test_openrouter_serves_web_search_with_its_web_plugin() -> None:
    fetch = {"type": "web_fetch_20250910", "name": "web_fetch"}
    body = translate_request(with_tools(WEB_SEARCH, fetch), "m", None, Dialect(web_plugin=True))
    assert body["plugins"] == [{"id": "web"}]
    note = body["messages"][0]["content"]
    assert "web_fetch are not available" in note and "web_search" not in note


def test_no_note_without_server_tools() -> None:
    body = translate_request(with_tools(BASH_TOOL, system="Be brief."), "m")
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
