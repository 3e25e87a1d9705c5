"""`/v1/messages/count_tokens` asks the serving tier's own counter, else estimates."""

from __future__ import annotations

from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import FakeServer
from switchex.fakes.counters import FakeLlamaCpp, FakeVLLM, tokens
from switchex.fakes.gemini import FakeGemini
from switchex.fakes.openai import FakeOpenAI
from switchex.gateway.fit import measure
from switchex.providers.counting import flat_text
from tests.client import message, post
from tests.gateway.conftest import StartTiers
from tests.helpers import GatewayServer

WORDS = "Please count these words, exactly: one two three four five."
REQUEST = message(WORDS, system="Be brief.")


def openai_tier(fake: FakeServer) -> dict[str, Any]:
    return {
        "name": "local",
        "provider": "openai",
        "base_url": f"{fake.base_url}/v1",
        "models": {"default": "qwen2.5-coder:7b"},
    }


@pytest.fixture
def start(start_tiers: StartTiers) -> StartTiers:
    return start_tiers


def count(gateway: GatewayServer, body: dict[str, Any] = REQUEST) -> tuple[int, dict[str, str]]:
    answer = post(f"{gateway.url}/v1/messages/count_tokens?beta=true", body)
    assert answer.status == 200, answer.body
    return int(answer.json()["input_tokens"]), answer.headers


@pytest.mark.parametrize("fake_type", [FakeLlamaCpp, FakeVLLM])
def test_a_local_server_counts_with_its_own_tokenizer(
    fake_type: type[FakeOpenAI], start: Any
) -> None:
    with fake_type() as fake:
        gateway = start(openai_tier(fake))
        counted, headers = count(gateway)
        assert counted == len(tokens(flat_text(REQUEST)))
        assert headers["x-switchex-tier"] == "local" and "x-switchex-estimate" not in headers
        assert fake.model_requests() == []


def test_a_server_without_tokenize_gets_the_documented_estimate(start: Any) -> None:
    with FakeOpenAI() as ollama_like:
        gateway = start(openai_tier(ollama_like))
        counted, headers = count(gateway)
        assert counted == measure(REQUEST).tokens and headers["x-switchex-estimate"] == "1"


def test_gemini_counts_with_count_tokens(start: Any) -> None:
    with FakeGemini(api_key="g-key") as fake:
        tier = {
            "name": "g",
            "provider": "gemini",
            "base_url": fake.base_url,
            "api_key": "g-key",
            "models": {"default": "gemini-2.5-flash"},
        }
        gateway = start(tier)
        counted, headers = count(gateway)
        assert counted == len(tokens("Be brief.\n" + WORDS))
        assert headers["x-switchex-tier"] == "g"
        [asked] = [r for r in fake.received if r.path.endswith(":countTokens")]
        assert asked.headers["x-goog-api-key"] == "g-key" and "key=" not in asked.query


def test_the_serving_tier_counts_not_a_later_one(start: Any, claude: FakeAnthropic) -> None:
    with FakeVLLM() as local:
        backup = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
        gateway = start(openai_tier(local), backup)
        counted, headers = count(gateway)
        assert headers["x-switchex-tier"] == "local"
        assert [r.path for r in claude.received] == []
        pinned, headers = count(gateway, {**REQUEST, "model": "claude-via-claude"})
        assert headers["x-switchex-tier"] == "claude" and pinned != counted
        assert claude.received[0].json()["model"] == "claude-sonnet-4-5"
