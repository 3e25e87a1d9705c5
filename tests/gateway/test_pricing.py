"""Prices from genai-prices, the tier's `price:` override, and unknown as None (not 0)."""

from __future__ import annotations

import pytest

from switchex.config import TierConfig
from switchex.gateway import pricing
from switchex.gateway.summary import ResponseSummary


def usage(inp: int = 0, out: int = 0, read: int = 0, write: int = 0) -> ResponseSummary:
    summary = ResponseSummary()
    summary.input_tokens, summary.output_tokens = inp, out
    summary.cache_read, summary.cache_creation = read, write
    return summary


def tier(**extra: object) -> TierConfig:
    return TierConfig.model_validate({"name": "t", **extra})


def test_current_opus_costs_five_and_twenty_five_dollars_per_million() -> None:
    assert pricing.cost("claude-opus-4-5", usage(1_000_000, 1_000_000)) == pytest.approx(30.0)


def test_cache_reads_and_writes_have_their_own_rates() -> None:
    # Opus 4.5: cache read $0.50, cache write (5 min) $6.25 per million.
    got = pricing.cost("claude-opus-4-5-20251101", usage(read=1_000_000, write=1_000_000))
    assert got == pytest.approx(6.75)


def test_unknown_model_costs_none_not_zero() -> None:
    assert pricing.cost("no-such-model-xyz", usage(100, 100)) is None


def test_local_server_is_unpriced_even_when_the_name_matches_an_api_model() -> None:
    local = tier(provider="openai", base_url="http://127.0.0.1:11434/v1", models={"default": "m"})
    assert pricing.cost("deepseek-r1", usage(100, 100), local) is None


def test_price_override_wins() -> None:
    priced = tier(
        provider="openai",
        base_url="http://127.0.0.1:11434/v1",
        models={"default": "m"},
        price={"input": 1, "output": 2, "cache_read": 0.5},
    )
    got = pricing.cost("anything", usage(1_000_000, 1_000_000, 1_000_000, 1_000_000), priced)
    assert got == pytest.approx(1 + 2 + 0.5 + 1)  # cache write defaults to the input rate


def test_openrouter_tier_is_priced_by_its_own_prices() -> None:
    router = tier(
        provider="openai", base_url="https://openrouter.ai/api/v1", models={"default": "m"}
    )
    assert pricing.cost("deepseek/deepseek-r1", usage(1_000_000), router) is not None


def test_context_window_comes_from_the_data() -> None:
    assert pricing.context_window("gemini-2.5-flash") == 1_048_576
    assert pricing.context_window("no-such-model-xyz") is None
