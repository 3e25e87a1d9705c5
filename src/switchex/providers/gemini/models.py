"""What switchex knows about Gemini model families: output caps, thinking rules, signatures.

Matched by name prefix, so dated and preview variants (`gemini-2.5-flash-preview-09-2025`)
inherit their family's facts. Unknown names are treated as the newest family: that costs a
dummy thought signature at worst, while treating a new model as old costs a 400.
"""

from __future__ import annotations

# Largest maxOutputTokens each family accepts.
_OUTPUT_CAPS: tuple[tuple[str, int], ...] = (
    ("gemini-1.", 8192),
    ("gemini-2.0-", 8192),
    ("gemini-2.5-", 65536),
    ("gemini-3", 65536),
)

# thinkingBudget bounds (inclusive) for explicit budgets.
_BUDGETS: tuple[tuple[str, int, int], ...] = (
    ("gemini-2.5-pro", 128, 32768),
    ("gemini-2.5-flash-lite", 512, 24576),
    ("gemini-2.5-flash", 1, 24576),
)
_DEFAULT_BUDGET = (128, 32768)

_OLD = ("gemini-1", "gemini-2", "gemma")


def model_id(model: str) -> str:
    """The bare model id (`models/gemini-2.5-flash` → `gemini-2.5-flash`)."""
    return model.removeprefix("models/")


def output_cap(model: str) -> int | None:
    for prefix, cap in _OUTPUT_CAPS:
        if model.startswith(prefix):
            return cap
    return None


def supports_thinking(model: str) -> bool:
    """False for families that refuse a thinkingConfig."""
    return not model.startswith(("gemini-1", "gemini-2.0", "gemma"))


def can_disable_thinking(model: str) -> bool:
    """Only the 2.5 Flash family accepts thinkingBudget 0 (Pro and Gemini 3 always think)."""
    return model.startswith("gemini-2.5-flash")


def budget_bounds(model: str) -> tuple[int, int]:
    for prefix, low, high in _BUDGETS:
        if model.startswith(prefix):
            return low, high
    return _DEFAULT_BUDGET


def needs_signatures(model: str) -> bool:
    """True where replayed functionCall parts must carry a thoughtSignature (Gemini 3 on)."""
    return not model.startswith(_OLD)
