"""The small endpoints: count_tokens, models, health, status, metrics."""

from __future__ import annotations

from typing import Any

import orjson

from switchex.errors import RequestError, SwitchableError
from switchex.gateway import asgi
from switchex.gateway.choose import PIN_PREFIX, pinned_model
from switchex.gateway.context import Gateway, log
from switchex.gateway.http1 import UpstreamBroken
from switchex.gateway.messages import parse_request
from switchex.gateway.relay import relay_headers
from switchex.providers import registry
from switchex.providers.anthropic import forward_headers
from switchex.providers.base import UpstreamCall

CLAUDE_MODELS = (  # what Claude Code asks for; every tier maps these through its `models`
    "claude-opus-5-5",
    "claude-opus-4-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
)


def estimate_tokens(request: dict[str, Any]) -> int:
    """A local estimate (about four bytes of JSON per token) when no tier can count."""
    parts = [request.get("system"), request.get("messages"), request.get("tools")]
    return max(1, len(orjson.dumps(parts)) // 4)


async def count_tokens(
    gateway: Gateway, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send
) -> None:
    """Forward to the first usable tier whose kind counts tokens (the registry says which);
    otherwise estimate. Never a cooldown error."""
    try:
        raw = await asgi.read_body(receive)
        request = parse_request(raw)
    except RequestError as error:
        await asgi.respond_error(send, error)
        return
    except asgi.ClientGone:
        return
    headers = asgi.request_headers(scope)
    for name in gateway.router.plan_readonly():
        if not registry.kind(gateway.tiers[name].config.provider).counts_tokens:
            continue
        answered = await _forward_count(gateway, name, request, raw, headers, send)
        if answered:
            return
        break
    body = {"input_tokens": estimate_tokens(request)}
    await asgi.respond(send, 200, orjson.dumps(body), headers={"x-switchex-estimate": "1"})


async def _forward_count(
    gateway: Gateway,
    name: str,
    request: dict[str, Any],
    raw: bytes,
    headers: dict[str, str],
    send: asgi.Send,
) -> bool:
    tier = gateway.tiers[name]
    spec = tier.spec
    model = tier.config.model_for(request["model"])
    body = raw if model == request["model"] else orjson.dumps({**request, "model": model})
    call = UpstreamCall(
        "POST",
        f"{spec.base_url}/v1/messages/count_tokens",
        forward_headers(headers, spec),
        body,
        False,
    )
    try:
        call = await tier.dialect.authorize(call, spec)
        async with tier.open(call) as response:
            if response.status >= 500 or response.status in (404, 429):
                return False
            payload = await response.read()
            out = relay_headers(response.headers, name)
            await asgi.respond(send, response.status, payload, out["content-type"], out)
            return True
    except (SwitchableError, UpstreamBroken, TimeoutError):
        return False
    except Exception:
        log.exception("count_tokens forward failed")
        return False


def models_json(gateway: Gateway) -> dict[str, Any]:
    """`GET /v1/models`: Claude's names, each tier's own model names, and one
    `claude-via-<tier>` id per tier (Claude Code's `/model` keeps ids containing `claude`
    when `CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1`; choosing one pins to that tier)."""
    names: dict[str, str] = {name: name for name in CLAUDE_MODELS}
    for tier in gateway.config.active_tiers:
        for pattern in tier.models:
            if pattern != "default" and not any(c in pattern for c in "*?["):
                names.setdefault(pattern, pattern)
    for name, each in gateway.tiers.items():
        served = pinned_model(each.config)
        names.setdefault(PIN_PREFIX + name, f"{name} via switchex ({served})")
    data = [
        {"type": "model", "id": name, "display_name": shown, "created_at": "2025-01-01T00:00:00Z"}
        for name, shown in names.items()
    ]
    ids = list(names)
    return {"data": data, "has_more": False, "first_id": ids[0], "last_id": ids[-1]}
