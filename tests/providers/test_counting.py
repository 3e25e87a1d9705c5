"""The token counters' calls: where they go, what they carry, what they read."""

from __future__ import annotations

import orjson

from switchex.providers.base import TierSpec
from switchex.providers.counting import (
    AnthropicCounter,
    GeminiCounter,
    TokenizeCounter,
    flat_text,
)
from switchex.providers.registry import counter

REQUEST = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 100,
    "system": "Be brief.",
    "messages": [
        {"role": "user", "content": "hello"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "Read", "input": {"p": "a"}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "x"}]},
    ],
}


def test_only_local_openai_servers_are_asked_to_tokenize() -> None:
    remote = TierSpec("r", "https://openrouter.ai/api/v1", "sk-or")
    assert TokenizeCounter().calls(remote, REQUEST, "m", {}) == []
    local = TierSpec("l", "http://192.168.1.9:8080/v1", None)
    calls = TokenizeCounter().calls(local, REQUEST, "m", {})
    root = "http://192.168.1.9:8080"
    assert [c.url for c in calls] == [
        f"{root}/tokenize",
        f"{root}/extras/tokenize/count",  # llama-cpp-python's server
        f"{root}/tokenize",
    ]
    assert orjson.loads(calls[0].body)["content"] == flat_text(REQUEST)
    assert orjson.loads(calls[1].body) == {"input": flat_text(REQUEST)}
    assert orjson.loads(calls[2].body) == {"model": "m", "prompt": flat_text(REQUEST)}


def test_a_known_server_gets_its_own_shape_and_ollama_none() -> None:
    def bodies(server: str) -> list[dict[str, str]]:
        spec = TierSpec("l", "http://127.0.0.1:11434/v1", None, server=server)
        return [orjson.loads(c.body) for c in TokenizeCounter().calls(spec, REQUEST, "m", {})]

    assert [sorted(b) for b in bodies("llama.cpp")] == [["add_special", "content"], ["input"]]
    assert [sorted(b) for b in bodies("vllm")] == [["model", "prompt"]]
    assert bodies("ollama") == [] and bodies("lm-studio") == []


def test_tokenize_answers_of_both_servers_are_read() -> None:
    assert TokenizeCounter().read(b'{"tokens": [1, 2, 3]}') == 3
    assert TokenizeCounter().read(b'{"count": 7, "tokens": [1]}') == 7
    assert TokenizeCounter().read(b"<html>") is None


def test_gemini_counts_the_translated_request_with_the_key_in_a_header() -> None:
    spec = TierSpec("g", "https://generativelanguage.googleapis.com/v1beta", "g-key")
    [call] = GeminiCounter().calls(spec, REQUEST, "gemini-2.5-flash", {})
    assert call.url.endswith("/v1beta/models/gemini-2.5-flash:countTokens")
    assert "key=" not in call.url and call.headers["x-goog-api-key"] == "g-key"
    inner = orjson.loads(call.body)["generateContentRequest"]
    assert inner["model"] == "models/gemini-2.5-flash" and "generationConfig" not in inner
    assert GeminiCounter().read(b'{"totalTokens": 12}') == 12


def test_anthropic_counts_with_the_tier_model_and_forwarded_headers() -> None:
    spec = TierSpec("c", "https://api.anthropic.com", None, forward_client_headers=True)
    [call] = AnthropicCounter().calls(spec, REQUEST, "claude-opus-4-5", {"x-api-key": "k"})
    assert call.url == "https://api.anthropic.com/v1/messages/count_tokens"
    assert orjson.loads(call.body)["model"] == "claude-opus-4-5"
    assert call.headers["x-api-key"] == "k"


def test_flat_text_keeps_words_tool_calls_and_results() -> None:
    text = flat_text(REQUEST)
    assert text.splitlines()[:2] == ["Be brief.", "hello"] and '"Read"' in text
    assert text.endswith("x")


def test_the_registry_names_a_counter_per_kind() -> None:
    assert isinstance(counter("anthropic"), AnthropicCounter)
    assert isinstance(counter("gemini"), GeminiCounter)
    assert isinstance(counter("openai"), TokenizeCounter)
    assert counter("bedrock") is None and counter("vertex") is None
