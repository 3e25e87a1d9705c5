"""Claude Code's model names as Bedrock model ids.

Current Claude models on Bedrock serve on-demand only through a cross-region inference
profile, whose id is the model id behind a geography prefix (`us.`, `eu.`, `apac.`); the
prefix follows the tier's region. Ids that already name a Bedrock model or profile (or an
ARN) pass unchanged, so a tier's `models` can choose any.
"""

from __future__ import annotations

import re

BASE_IDS = {
    "claude-opus-4-5": "anthropic.claude-opus-4-5-20251101-v1:0",
    "claude-sonnet-4-5": "anthropic.claude-sonnet-4-5-20250929-v1:0",
    "claude-haiku-4-5": "anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-opus-4-1": "anthropic.claude-opus-4-1-20250805-v1:0",
    "claude-opus-4": "anthropic.claude-opus-4-20250514-v1:0",
    "claude-sonnet-4": "anthropic.claude-sonnet-4-20250514-v1:0",
}
_DATED = re.compile(r"^(claude-[a-z0-9-]+?-\d{8})$")
_GEOS = (("us-gov-", "us-gov."), ("us-", "us."), ("eu-", "eu."), ("ap-", "apac."))


def geography(region: str) -> str:
    """The inference-profile prefix for a region ("" when none is known)."""
    return next((prefix for start, prefix in _GEOS if region.startswith(start)), "")


def bedrock_model(name: str, region: str) -> str:
    """The Bedrock id for `name` served from `region`."""
    if name.startswith("arn:") or "anthropic." in name:
        return name
    base = BASE_IDS.get(name)
    if base is None and _DATED.match(name):
        base = f"anthropic.{name}-v1:0"
    if base is None:
        return name
    return geography(region) + base
