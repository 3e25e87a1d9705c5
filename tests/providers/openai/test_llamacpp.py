import itertools
import json
from typing import Any

import orjson

from switchex.config import parse_config
from switchex.gateway.tier import tier_spec
from switchex.providers.base import NO_PLAN, ReplyPlan, TierSpec
from switchex.providers.openai import OpenAIProvider
from switchex.providers.openai.llamacpp import adapt_request
from switchex.providers.openai.stream import OpenAIStreamTranslator

from .wire import assemble, fixture_bytes, without_ids

Json = dict[str, Any]

TOOLS = [{"name": "get_weather", "input_schema": {"type": "object"}}]
LLAMA = TierSpec("local", "http://127.0.0.1:8080/v1", None, server="llama.cpp")
PLAIN = TierSpec("local", "http://127.0.0.1:8080/v1", None)


def request(stream: bool, **extra: Any) -> Json:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "stream": stream,
        "messages": [{"role": "user", "content": "weather in Oslo?"}],
        **extra,
    }


def sent(tier: TierSpec, body: Json) -> tuple[Json, bool]:
    call = OpenAIProvider().build_call(tier, body, "smollm2", {})
    return orjson.loads(call.body), call.stream


def translator_for(body: bytes) -> OpenAIStreamTranslator:
    """The stream translator as the gateway makes it: a JSON body is a whole answer asked in
    place of a stream (llama.cpp with tools), anything else an SSE stream."""
    asked_whole = body.lstrip().startswith(b"{")
    return OpenAIStreamTranslator(
        "smollm2", ReplyPlan(whole_upstream=True) if asked_whole else NO_PLAN
    )


def whole(body: bytes, *splits: int) -> list[Json]:
    translator = translator_for(body)
    cuts = [0, *splits, len(body)]
    events = [e for a, b in itertools.pairwise(cuts) for e in translator.feed(body[a:b])]
    return events + translator.finish()


def completion(message: Json, finish: str = "tool_calls") -> bytes:
    choice = {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
    usage = {"prompt_tokens": 90, "completion_tokens": 12, "total_tokens": 102}
    return json.dumps({"object": "chat.completion", "choices": [choice], "usage": usage}).encode()


LLAMA_CALL = {
    "content": None,
    "tool_calls": [
        {
            "id": "call__0_get_weather_cmpl-1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
        }
    ],
    "function_call": {"name": "get_weather:", "arguments": '{"city": "Oslo"}'},
}


def test_the_tier_key_server_selects_the_dialect() -> None:
    tier = {"name": "local", "provider": "openai", "base_url": "http://127.0.0.1:8080/v1"}
    tier["models"] = {"default": "smollm2"}
    config = parse_config(
        {"tiers": [{**tier, "server": "llama.cpp"}, {**tier, "name": "b"}]}, {}, "t"
    )
    llama, plain = (tier_spec(t) for t in config.tiers)

    assert sent(llama, request(True, tools=TOOLS))[0]["tool_choice"] == "auto"
    assert "tool_choice" not in sent(plain, request(True, tools=TOOLS))[0]


def test_tools_get_an_explicit_auto_choice_and_go_whole() -> None:
    body, stream = sent(LLAMA, request(True, tools=TOOLS))

    assert body["tool_choice"] == "auto"
    assert "stream" not in body and "stream_options" not in body
    assert stream  # the client still gets a stream


def test_a_forced_choice_is_kept() -> None:
    choice = {"type": "tool", "name": "get_weather"}
    body, _ = sent(LLAMA, request(False, tools=TOOLS, tool_choice=choice))

    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


def test_any_tool_forces_the_only_one_and_is_auto_among_several() -> None:
    other = {"name": "add", "input_schema": {"type": "object"}}
    one, _ = sent(LLAMA, request(False, tools=TOOLS, tool_choice={"type": "any"}))
    several, _ = sent(LLAMA, request(False, tools=[*TOOLS, other], tool_choice={"type": "any"}))

    assert one["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert several["tool_choice"] == "auto"  # `required` is a 500 on llama-cpp-python


def test_tools_come_with_a_system_message_that_describes_them() -> None:
    body, _ = sent(LLAMA, request(False, tools=TOOLS))
    with_system, _ = sent(LLAMA, request(False, tools=TOOLS, system="Be brief."))
    without_tools, _ = sent(LLAMA, request(False))

    assert body["messages"][0] == {"role": "system", "content": ""}
    assert [m["role"] for m in with_system["messages"]] == ["system", "user"]
    assert [m["role"] for m in without_tools["messages"]] == ["user"]


def test_a_stream_without_tools_stays_a_stream() -> None:
    body, stream = sent(LLAMA, request(True))

    assert body["stream"] is True and stream and "tool_choice" not in body


def test_other_servers_get_the_plain_dialect() -> None:
    body, stream = sent(PLAIN, request(True, tools=TOOLS))

    assert body["stream"] is True and stream and "tool_choice" not in body


def test_an_assistant_tool_call_turn_gets_empty_content_not_null() -> None:
    turns = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "5"}]},
    ]
    body, _ = sent(LLAMA, {**request(False, tools=TOOLS), "messages": turns})

    assert body["messages"][2]["content"] == ""  # null is a 500 on llama.cpp's server
    assert body["messages"][2]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_adapting_keeps_the_input() -> None:
    body = {"model": "m", "messages": [], "stream": True, "tools": [{"type": "function"}]}

    adapt_request(body)

    assert body == {"model": "m", "messages": [], "stream": True, "tools": [{"type": "function"}]}


def test_a_whole_completion_becomes_a_well_formed_stream() -> None:
    message = assemble(whole(completion(LLAMA_CALL), 5, 40))

    assert without_ids(message) == [
        {"type": "tool_use", "name": "get_weather", "input": {"city": "Oslo"}}
    ]
    assert message["stop_reason"] == "tool_use"
    assert message["usage"]["input_tokens"] == 90 and message["usage"]["output_tokens"] == 12


def test_finishing_twice_says_the_answer_once() -> None:
    translator = translator_for(completion(LLAMA_CALL))
    translator.feed(completion(LLAMA_CALL))

    first, second = translator.finish(), translator.finish()

    assert assemble(first)["stop_reason"] == "tool_use" and second == []


def test_the_legacy_function_call_beside_tool_calls_is_not_a_second_call() -> None:
    answer = OpenAIProvider().translate_response(completion(LLAMA_CALL), "smollm2")

    assert [block["name"] for block in answer["content"]] == ["get_weather"]


def test_an_empty_whole_reply_is_an_empty_text_answer() -> None:
    message = assemble(whole(completion({"content": ""}, "stop")))

    assert message["content"] == [{"type": "text", "text": ""}]
    assert message["stop_reason"] == "end_turn"


def test_an_empty_streamed_reply_is_an_empty_text_answer() -> None:
    chunks = [
        {"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    body = b"".join(b"data: " + orjson.dumps(c) + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"

    message = assemble(whole(body))

    assert message["content"] == [{"type": "text", "text": ""}]


def test_an_empty_reply_to_a_whole_request_is_an_empty_text_answer() -> None:
    answer = OpenAIProvider().translate_response(completion({"content": ""}, "stop"), "smollm2")

    assert answer["content"] == [{"type": "text", "text": ""}]


BROKEN_CALL = {
    "content": None,
    "tool_calls": [
        {
            "id": "call__0_get_weather_cmpl-2",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{ "city": "}\nfunction {'},
        }
    ],
}


def test_a_call_with_broken_arguments_is_the_models_text_in_a_stream() -> None:
    message = assemble(whole(completion(BROKEN_CALL)))

    assert message["content"] == [{"type": "text", "text": 'get_weather: { "city": "}\nfunction {'}]
    assert message["stop_reason"] == "end_turn"


def test_a_call_with_broken_arguments_is_the_models_text_in_a_whole_answer() -> None:
    answer = OpenAIProvider().translate_response(completion(BROKEN_CALL), "smollm2")

    assert [block["type"] for block in answer["content"]] == ["text"]
    assert answer["stop_reason"] == "end_turn"


def test_a_whole_body_that_is_not_a_completion_ends_with_an_error_event() -> None:
    events = whole(b'{"detail": "oops"}')

    assert [event["type"] for event in events] == ["error"]
    assert events[0]["error"]["type"] == "api_error"


def test_a_stream_passes_through_unchanged() -> None:
    body = fixture_bytes("tool_calls.sse")
    plain = OpenAIStreamTranslator("smollm2")
    expected = plain.feed(body) + plain.finish()

    events = whole(body, 17)

    assert without_ids(assemble(events)) == without_ids(assemble(expected))
