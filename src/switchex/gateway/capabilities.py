"""What a tier's model can take: images, documents, thinking, server tools, how many tokens.

Defaults come from the model's family (the table below, matched on the lower-cased model
name, first match wins); a tier's `capabilities:` and `context_window:` /
`max_output_tokens:` in the config override them. The context window of a model the table
does not know comes from genai-prices (remote tiers only: a local server's window is what
it was started with). Claude models are never checked against a window unless the tier sets
one: their upstream answers "prompt is too long" itself, and knows the 1M-token betas.
Pure; a lookup costs microseconds (genai-prices answers are cached in `pricing`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from switchex.config import TierConfig
from switchex.gateway import pricing


@dataclass(frozen=True)
class Capabilities:
    """What one model can read and do, and its limits (None: unknown, not checked)."""

    vision: bool = False
    documents: bool = False
    thinking: bool = False
    server_tools: bool = False
    context_window: int | None = None
    max_output: int | None = None


_ALL = Capabilities(True, True, True, True)

# (pattern searched in the lower-cased model name, capabilities): first match wins.
FAMILIES: tuple[tuple[str, Capabilities], ...] = (
    (r"claude", _ALL),
    (r"gemini-(2\.5|3)", Capabilities(True, True, True, True, 1_048_576, 65_536)),
    (r"gemini", Capabilities(True, True, False, True, 1_048_576, 8_192)),
    (r"gpt-5", Capabilities(True, False, True, False, 400_000, 128_000)),
    (r"gpt-4\.1", Capabilities(True, False, False, False, 1_047_576, 32_768)),
    (r"gpt-4o", Capabilities(True, False, False, False, 128_000, 16_384)),
    (r"gpt-oss", Capabilities(False, False, True, False, 131_072, 32_768)),
    (r"\bo[134](-|$)", Capabilities(True, False, True, False, 200_000, 100_000)),
    (r"deepseek-(reasoner|r1)", Capabilities(False, False, True, False, 128_000, 32_768)),
    (r"deepseek", Capabilities(False, False, False, False, 128_000, 8_192)),
    (r"qwen.*-vl|llava|pixtral|vision", Capabilities(True, False, False, False, 32_768, 8_192)),
    (r"qwen2\.5-coder", Capabilities(False, False, False, False, 32_768, 8_192)),
    (r"qwen3-coder", Capabilities(False, False, False, False, 262_144, 65_536)),
    (r"qwen3", Capabilities(False, False, True, False, 40_960, 32_768)),
    (r"qwen", Capabilities(False, False, False, False, 32_768, 8_192)),
    (r"devstral|codestral|mistral", Capabilities(False, False, False, False, 131_072, 32_768)),
    (r"llama-?3", Capabilities(False, False, False, False, 131_072, 8_192)),
    (r"glm-4\.[56]", Capabilities(False, False, True, False, 131_072, 98_304)),
    (r"kimi-k2", Capabilities(False, False, False, False, 131_072, 16_384)),
)
_COMPILED = tuple((re.compile(pattern), caps) for pattern, caps in FAMILIES)
_UNKNOWN = Capabilities()


def family(model: str) -> Capabilities:
    """The defaults of the model's family (nothing known: text only, no limits)."""
    name = model.lower()
    for pattern, caps in _COMPILED:
        if pattern.search(name):
            return caps
    return _UNKNOWN


def capabilities(tier: TierConfig, model: str) -> Capabilities:
    """The tier's capabilities when it serves `model`: the family's, then the config's."""
    base = family(model)
    given = tier.capabilities
    window = tier.context_window
    if window is None and base is not _ALL:
        window = base.context_window or _listed_window(tier, model)
    return Capabilities(
        base.vision if given.vision is None else given.vision,
        base.documents if given.documents is None else given.documents,
        base.thinking if given.thinking is None else given.thinking,
        base.server_tools if given.server_tools is None else given.server_tools,
        window,
        tier.max_output_tokens or base.max_output,
    )


def _listed_window(tier: TierConfig, model: str) -> int | None:
    """genai-prices' context window, for remote tiers only."""
    if not tier.key_required:
        return None
    return pricing.context_window(model, tier.url)
