"""Which tiers a request goes to, and in what form: a `claude-via-<tier>` pin, the tiers
whose window has room, images only to tiers that can read them (see `gateway.fit`).

Skipped tiers are logged and noted in the exchange's attempts, never cooled.
"""

from __future__ import annotations

from switchex.config import TierConfig
from switchex.errors import RequestError
from switchex.gateway import fit
from switchex.gateway.capabilities import Capabilities, capabilities
from switchex.gateway.context import Gateway, log
from switchex.gateway.exchange import Exchange

PIN_PREFIX = "claude-via-"  # `claude-via-<tier>`: a model id that pins a request to a tier
PIN_MODEL = "claude-sonnet-4-5"  # what a pinned tier without a default model serves


def pinned_model(tier: TierConfig) -> str:
    """The model a request pinned to this tier is served with: the tier's default."""
    return tier.models.get("default", PIN_MODEL)


def pin(gateway: Gateway, exchange: Exchange) -> str | None:
    """The tier a `claude-via-<tier>` model names (its request now asks the tier's default
    model), or None for any other model."""
    model = exchange.request["model"]
    name = model.removeprefix(PIN_PREFIX) if model.startswith(PIN_PREFIX) else None
    tier = gateway.tiers.get(name) if name else None
    if tier is None:
        return None
    exchange.request = {**exchange.request, "model": pinned_model(tier.config)}
    exchange.raw = b""
    return name


def fitting(
    gateway: Gateway, exchange: Exchange, names: list[str]
) -> list[tuple[str, bool]] | None:
    """The tiers to try, in order, each with whether it gets the request without its
    images/documents; None when some tier was ready but none has room (prompt too long).
    Skipped tiers are logged and noted in the attempts, never cooled."""
    shape = fit.measure(exchange.request)
    planned = fit.plan(names, exchange.request, shape, lambda name: _caps(gateway, exchange, name))
    for name, why in planned.skipped:
        exchange.attempts.append(f"{name}:skipped:{why}")
        log.info("tier %s skipped: %s (about %d tokens)", name, why, shape.tokens)
    if planned.window:
        exchange.fit = planned  # some tier had no room: `after_failures` may need it
    if names and not planned.ready and not planned.blind and planned.window:
        exchange.notes = f"too long for every ready tier: {fit.too_long_message(planned)}"
        return None
    return [(name, False) for name in planned.ready] + [(name, True) for name in planned.blind]


def _caps(gateway: Gateway, exchange: Exchange, name: str) -> Capabilities:
    tier = gateway.tiers[name].config
    return capabilities(tier, tier.model_for(exchange.request["model"]))


def go_blind(gateway: Gateway, exchange: Exchange, name: str) -> None:
    """Serve a tier that cannot read the request's images/documents: notes in their place."""
    if exchange.original is None:
        exchange.original = exchange.request
    exchange.request = fit.without_media(exchange.original, _caps(gateway, exchange, name))
    exchange.raw = b""
    exchange.notes = "media omitted: no ready tier can read it"


def after_failures(exchange: Exchange) -> RequestError | None:
    """When every tier that had room failed, and some ready tier was skipped for want of
    room: Anthropic's `prompt is too long` (Claude Code compacts, and the smaller request
    fits that tier) rather than "every tier is cooling" (it would wait for the reset)."""
    if exchange.fit is None:
        return None
    exchange.notes = f"the tiers with room failed: {fit.too_long_message(exchange.fit)}"
    return too_long(exchange)


def too_long(exchange: Exchange) -> RequestError:
    assert exchange.fit is not None
    return RequestError(fit.too_long_message(exchange.fit), 400, "invalid_request_error")
