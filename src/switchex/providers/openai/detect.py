"""Which server software is behind an openai tier, read from its `GET /models` answer. Pure.

    llama.cpp's `llama-server`          models listed with `owned_by: "llamacpp"`
    llama-cpp-python's server           `owned_by: "me"` with a `permissions` list

Both answer as `server: llama.cpp` (the dialect the quirks of issue 15 need). Anything else,
or a body that is not a model list, is unknown (None): the tier is used as configured.
"""

from __future__ import annotations

import orjson

from switchex.providers.base import TierSpec, UpstreamCall


def models_call(tier: TierSpec) -> UpstreamCall:
    """The `GET {base_url}/models` that tells the server apart (the tier's own headers)."""
    headers = dict(tier.headers)
    if tier.api_key:
        headers["authorization"] = f"Bearer {tier.api_key}"
    return UpstreamCall("GET", tier.base_url.rstrip("/") + "/models", headers, b"", False)


def server_from_models(body: bytes) -> str | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    rows = data.get("data") if isinstance(data, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        owner = row.get("owned_by")
        if owner == "llamacpp" or (owner == "me" and isinstance(row.get("permissions"), list)):
            return "llama.cpp"
    return None
