"""Model-family defaults and config overrides of a tier's capabilities."""

from __future__ import annotations

from typing import Any

import pytest

from switchex.config import TierConfig
from switchex.gateway.capabilities import capabilities, family


def tier(provider: str = "openai", **extra: Any) -> TierConfig:
    base: dict[str, Any] = {"name": "t", "provider": provider}
    if provider != "anthropic":
        base["models"] = {"default": "m"}
        base["base_url"] = "http://127.0.0.1:1/v1"
    return TierConfig(**{**base, **extra})


@pytest.mark.parametrize(
    ("model", "vision", "documents", "window"),
    [
        ("gemini-2.5-flash", True, True, 1_048_576),
        ("models/gemini-2.0-flash", True, True, 1_048_576),
        ("deepseek-chat", False, False, 128_000),
        ("qwen2.5-coder:7b", False, False, 32_768),
        ("Qwen/Qwen2.5-VL-7B-Instruct", True, False, 32_768),
        ("gpt-4o-mini", True, False, 128_000),
        ("some-unknown-local-model", False, False, None),
    ],
)
def test_families(model: str, vision: bool, documents: bool, window: int | None) -> None:
    caps = family(model)
    assert (caps.vision, caps.documents, caps.context_window) == (vision, documents, window)


def test_claude_reads_everything_and_its_window_is_left_to_its_upstream() -> None:
    caps = capabilities(tier("anthropic"), "claude-sonnet-4-5")
    assert caps.vision and caps.documents and caps.thinking and caps.server_tools
    assert caps.context_window is None


def test_the_config_overrides_the_family() -> None:
    given = tier(capabilities={"vision": True}, context_window=65_536, max_output_tokens=4_000)
    caps = capabilities(given, "qwen2.5-coder:7b")
    assert caps.vision and not caps.documents
    assert (caps.context_window, caps.max_output) == (65_536, 4_000)
    claude = capabilities(tier("anthropic", context_window=100_000), "claude-opus-4-5")
    assert claude.context_window == 100_000


def test_an_unknown_capability_key_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="eyes"):
        tier(capabilities={"eyes": True})
