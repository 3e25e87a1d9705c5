"""The small endpoints: count_tokens, models, health, status, metrics."""

from __future__ import annotations

from typing import Any

import orjson

from switchex.errors import RequestError, SwitchableError
from switchex.gateway import asgi, fit
from switchex.gateway.choose import PIN_PREFIX, pinned_model
from switchex.gateway.context import Gateway, log
from switchex.gateway.http1 import UpstreamBroken
from switchex.gateway.messages import parse_request
from switchex.gateway.relay import relay_headers
from switchex.providers import registry

CLAUDE_MODELS = (  # what Claude Code asks for; every tier maps these through its `models`
    "claude-opus-5-5",
    "claude-opus-4-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
)


def estimate_tokens(request: dict[str, Any]) -> int:
    """The local estimate (`gateway.fit.measure`), when the serving tier cannot count."""
    return fit.measure(request).tokens


async def count_tokens(
    gateway: Gateway, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send
) -> None:
    """Ask the tier that would serve the request (the first ready one, or the pinned one)
    to count with its own counter; when it has none, or it fails, estimate locally
    (`x-switchex-estimate: 1`). Never a cooldown, never another tier's tokenizer."""
    try:
        raw = await asgi.read_body(receive)
        request = parse_request(raw)
    except RequestError as error:
        await asgi.respond_error(send, error)
        return
    except asgi.ClientGone:
        return
    headers = asgi.request_headers(scope)
    names = gateway.router.plan_readonly()
    pinned = request["model"].removeprefix(PIN_PREFIX)
    if request["model"].startswith(PIN_PREFIX) and pinned in gateway.tiers:
        names = [pinned]
        request = {**request, "model": pinned_model(gateway.tiers[pinned].config)}
    if names and await _count_on(gateway, names[0], request, headers, send):
        return
    body = {"input_tokens": estimate_tokens(request)}
    await asgi.respond(send, 200, orjson.dumps(body), headers={"x-switchex-estimate": "1"})


async def _count_on(
    gateway: Gateway, name: str, request: dict[str, Any], headers: dict[str, str], send: asgi.Send
) -> bool:
    """Whether the tier's counter answered (a count, or an Anthropic 4xx relayed as it is)."""
    tier = gateway.tiers[name]
    counter = registry.counter(tier.config.provider)
    if counter is None:
        return False
    model = tier.config.model_for(request["model"])
    for call in counter.calls(tier.spec, request, model, headers):
        try:
            call = await tier.dialect.authorize(call, tier.spec)
            async with tier.open(call) as response:
                payload = await response.read()
        except (SwitchableError, UpstreamBroken, TimeoutError):
            return False
        except Exception:
            log.exception("count_tokens on tier %s failed", name)
            return False
        if response.status < 300 and (count := counter.read(payload)) is not None:
            out = {"x-switchex-tier": name}
            await asgi.respond(send, 200, orjson.dumps({"input_tokens": count}), headers=out)
            return True
        if tier.dialect.passthrough and response.status in (400, 401, 403, 413):
            out = relay_headers(response.headers, name)
            await asgi.respond(send, response.status, payload, out["content-type"], out)
            return True
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
