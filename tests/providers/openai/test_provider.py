import orjson
import pytest

from switchex.providers.base import Provider, TierSpec
from switchex.providers.openai import OpenAIProvider, OpenAIStreamTranslator

REQUEST = {
    "model": "claude-opus-5-5",
    "max_tokens": 32000,
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}
CLIENT = {
    "x-api-key": "sk-ant-client",
    "authorization": "Bearer sk-ant-oat-client",
    "anthropic-beta": "oauth-2025-04-20",
}


def test_is_a_provider() -> None:
    provider: Provider = OpenAIProvider()
    assert provider.kind == "openai"
    assert isinstance(provider.stream_translator("m"), OpenAIStreamTranslator)


@pytest.mark.parametrize(
    ("base_url", "url"),
    [
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1/chat/completions"),
        ("http://127.0.0.1:11434/v1/", "http://127.0.0.1:11434/v1/chat/completions"),
    ],
)
def test_call_goes_to_chat_completions_with_the_tiers_credentials_only(
    base_url: str, url: str
) -> None:
    tier = TierSpec(
        "or", base_url, "sk-or-1", max_output_tokens=4096, headers={"X-Title": "switchex"}
    )
    call = OpenAIProvider().build_call(tier, REQUEST, "deepseek/deepseek-r1", CLIENT)
    assert (call.method, call.url, call.stream) == ("POST", url, True)
    assert call.headers == {
        "content-type": "application/json",
        "authorization": "Bearer sk-or-1",
        "X-Title": "switchex",
    }
    body = orjson.loads(call.body)
    assert (body["model"], body["max_tokens"]) == ("deepseek/deepseek-r1", 4096)
    assert b"sk-ant" not in call.body


def test_no_authorization_without_a_key() -> None:
    call = OpenAIProvider().build_call(TierSpec("local", "http://x/v1", None), REQUEST, "m", CLIENT)
    assert "authorization" not in {k.lower() for k in call.headers}


BASH = {"name": "Bash", "input_schema": {"type": "object", "required": ["command"]}}
SEARCH = {"type": "web_search_20250305", "name": "web_search"}


def test_a_llamacpp_tier_asks_whole_when_tools_are_streamed() -> None:
    tier = TierSpec("local", "http://127.0.0.1:8080/v1", None, server="llama.cpp")
    call = OpenAIProvider().build_call(tier, {**REQUEST, "tools": [BASH]}, "smollm2", {})
    body = orjson.loads(call.body)
    assert call.stream and call.reply.whole_upstream
    assert "stream" not in body and body["tool_choice"] == "auto"
    plain = OpenAIProvider().build_call(tier, REQUEST, "smollm2", {})
    assert plain.stream and not plain.reply.whole_upstream  # no tools: it streams fine


def test_the_reply_plan_carries_the_tools_when_text_calls_are_parsed() -> None:
    request = {**REQUEST, "tools": [BASH, SEARCH]}
    local = TierSpec("local", "http://127.0.0.1:11434/v1", None, text_tools=True)
    plan = OpenAIProvider().build_call(local, request, "qwen", {}).reply
    assert plan.text_tools and dict(plan.tools) == {"Bash": BASH["input_schema"]}
    cloud = TierSpec("or", "https://openrouter.ai/api/v1", "k")
    call = OpenAIProvider().build_call(cloud, request, "deepseek/deepseek-r1", {})
    assert not call.reply.text_tools and not call.reply.tools
    assert orjson.loads(call.body)["plugins"] == [{"id": "web"}]  # OpenRouter serves the search
