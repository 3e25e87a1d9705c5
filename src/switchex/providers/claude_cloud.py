"""What the two "Claude on a cloud" kinds (`vertex`, `bedrock`) share: the body they send.

Both clouds take the Anthropic Messages body with three changes: the model moves into the
URL (a `model` field is rejected), `anthropic_version` names the cloud's API version, and
betas travel in the body as `anthropic_beta` instead of the `anthropic-beta` header. The
conversation is repaired exactly as for Anthropic (it is Claude on the other end), and only
betas the clouds know are passed on: an unknown beta is a 400 there, which would end the
chain instead of serving.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from switchex.providers.anthropic import repair_conversation
from switchex.providers.base import Json, TierSpec

# Betas Claude on Vertex AI and Bedrock accept; first-party ones (oauth, claude-code, files…)
# are dropped. A tier's own `headers: {anthropic-beta: …}` adds to this list.
CLOUD_BETAS = frozenset(
    {
        "interleaved-thinking-2025-05-14",
        "context-management-2025-06-27",
        "fine-grained-tool-streaming-2025-05-14",
        "token-efficient-tools-2025-02-19",
        "context-1m-2025-08-07",
        "output-128k-2025-02-19",
        "effort-2025-11-24",
        "tool-search-tool-2025-10-19",
        "tool-examples-2025-10-29",
    }
)
# Body fields that only work with a beta: dropped when that beta is not passed on.
_NEEDS_BETA = {
    "context_management": "context-management-2025-06-27",
    "output_config": "effort-2025-11-24",
}


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def cloud_betas(client_headers: Mapping[str, str], tier: TierSpec) -> list[str]:
    """The client's betas the clouds know, then the tier's own, without repeats."""
    wanted = [b for b in _split(client_headers.get("anthropic-beta")) if b in CLOUD_BETAS]
    extra = {k.lower(): v for k, v in tier.headers.items()}.get("anthropic-beta")
    return list(dict.fromkeys([*wanted, *_split(extra)]))


def cloud_body(
    request: Json,
    tier: TierSpec,
    version: str,
    betas: list[str],
    keep_stream: bool,
) -> bytes:
    """The request as a cloud takes it; `request` itself is never changed."""
    body = repair_conversation(request) or dict(request)
    body.pop("model", None)
    if not keep_stream:
        body.pop("stream", None)
    for name, beta in _NEEDS_BETA.items():
        if name in body and beta not in betas:
            del body[name]
    cap = tier.max_output_tokens
    if cap and isinstance(body.get("max_tokens"), int) and body["max_tokens"] > cap:
        body["max_tokens"] = cap
    body["anthropic_version"] = version
    if betas:
        body["anthropic_beta"] = betas
    return orjson.dumps(body)


def tier_headers(tier: TierSpec) -> dict[str, str]:
    """The tier's extra headers for the cloud, minus `anthropic-beta` (it goes in the body)."""
    return {k: v for k, v in tier.headers.items() if k.lower() != "anthropic-beta"}
