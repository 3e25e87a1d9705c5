"""POST /v1/messages: pick a tier, fail over before the first byte, relay or translate.

The rule that shapes this module: once a byte of the answer has reached the client, the
answer belongs to that tier. Before that, any switch-worthy failure cools the tier and the
next one is tried at once.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import orjson

from switchex.errors import RequestError, SwitchableError, UpstreamError
from switchex.gateway import asgi, choose, policy, pricing
from switchex.gateway.context import Gateway, log
from switchex.gateway.detect import detect_server
from switchex.gateway.exchange import Exchange
from switchex.gateway.http1 import UpstreamBroken
from switchex.gateway.relay import Relay, relay_headers
from switchex.gateway.upstream import UpstreamResponse
from switchex.gateway.validate import validate_request
from switchex.providers.base import Json
from switchex.state.base import credential_scope
from switchex.tracker.session import session_id


def parse_request(raw: bytes) -> Json:
    """The client's body as a Messages request, or a RequestError saying what is wrong."""
    try:
        request = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        reason = "is not valid UTF-8" if "utf-8" in str(error).lower() else "is not valid JSON"
        raise RequestError(f"the request body {reason}: {error}") from None
    if not isinstance(request, dict):
        raise RequestError("the request body must be a JSON object")
    if not isinstance(request.get("model"), str) or not request["model"]:
        raise RequestError("model: field required (a model name string)")
    if not isinstance(request.get("messages"), list):
        raise RequestError("messages: field required (a list of messages)")
    if "max_tokens" in request and not isinstance(request["max_tokens"], int):
        raise RequestError("max_tokens: must be an integer")
    return request


def retry_after_seconds(soonest: float | None, now: float, max_reset: float) -> int:
    """Whole seconds until `soonest` for a `retry-after` header: at least 1, at most
    `max_reset`, whatever `soonest` is."""
    left = (soonest - now) if soonest is not None else 1.0
    if not math.isfinite(left):
        left = max_reset
    return max(1, math.ceil(min(left, max_reset)))


def all_cooling(gateway: Gateway, scope: str | None = None) -> UpstreamError:
    """The answer when no tier can serve: always a 429 with an integer `retry-after`."""
    router = gateway.router
    wait = retry_after_seconds(router.soonest_expiry(scope), time.time(), router.max_reset)
    states = router.states.values()
    detail = ", ".join(_why(s.name, s.reason, s.detail) for s in states if s.reason)
    return UpstreamError(
        429,
        f"every tier of the switchex chain is cooling: {detail or 'none ready'}; retry in {wait} s",
        "rate_limit_error",
        {"retry-after": str(wait)},
    )


def _why(name: str, reason: str, detail: str | None) -> str:
    return f"{name} ({reason}: {detail})" if detail else f"{name} ({reason})"


async def handle_messages(
    gateway: Gateway, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send
) -> None:
    try:
        raw = await asgi.read_body(receive)
        exchange = Exchange(validate_request(parse_request(raw)), raw, asgi.request_headers(scope))
        exchange.client_key = scope.get("switchex.client_key", "")
    except RequestError as error:
        await asgi.respond_error(send, error)
        return
    except asgi.ClientGone:
        return
    session = session_id(exchange.headers, exchange.request)
    agent = exchange.headers.get("x-claude-code-agent-id", "")
    if gateway.observer:
        exchange.repo = gateway.observer.boundary(session, exchange.request, agent) or ""
    await _serve_watched(gateway, exchange, receive, send)
    _finish(gateway, exchange, session, agent)


async def _serve_watched(
    gateway: Gateway, exchange: Exchange, receive: asgi.Receive, send: asgi.Send
) -> None:
    """Serve, cancelling the upstream call if the client goes away."""
    task = asyncio.current_task()
    assert task is not None
    gone = False

    async def watch() -> None:
        nonlocal gone
        while (await receive())["type"] != "http.disconnect":
            pass
        gone = True
        task.cancel()

    watcher = asyncio.create_task(watch())
    try:
        await _serve(gateway, exchange, send)
    except asyncio.CancelledError:
        if not gone:
            raise
        exchange.status = 499
        exchange.summary.error_type = "client_disconnected"
    finally:
        watcher.cancel()


async def _serve(gateway: Gateway, exchange: Exchange, send: asgi.Send) -> None:
    router = gateway.router
    scope = credential_scope(exchange.headers) if router.scoped else None
    pin = choose.pin(gateway, exchange)
    ready = router.plan(scope)
    for name in ready if pin else ():
        if name != pin and router.state(name, scope).probing:
            router.release(name, scope)  # a probe this request claimed but will not make
    ready = [name for name in ready if pin is None or name == pin]
    claimed = await gateway.state.claim(router, ready, scope)
    try:
        order = choose.fitting(gateway, exchange, claimed)
        if order is None:
            return await _send_error(exchange, send, choose.too_long(exchange))
        for name, blind in order:
            if blind:
                choose.go_blind(gateway, exchange, name)
            exchange.tier = name
            try:
                await _try_tier(gateway, exchange, name, send)
                event = gateway.router.served(name, scope)
                if event:
                    gateway.switched(event)
                return
            except UpstreamError as error:
                decision = policy.decide(error.kind, gateway.tiers[name].client_credentials)
                if not decision.fail_over:
                    gateway.router.release(name, scope)
                    exchange.attempts.append(f"{name}:{error.status}")
                    await _send_error(exchange, send, error)
                    return
                until = gateway.router.failed(name, error, decision.cool, scope)
                exchange.attempts.append(f"{name}:{error.status}:{error.reason}")
                log.warning(
                    "tier %s failed (%s %s), cooling %.0f s",
                    name,
                    error.status,
                    error.reason,
                    until - time.time(),
                )
        await _send_error(
            exchange, send, choose.after_failures(exchange) or all_cooling(gateway, scope)
        )
    finally:
        for name in claimed:  # probes claimed by this request but never answered
            if router.state(name, scope).probing:
                router.release(name, scope)


async def _send_error(
    exchange: Exchange, send: asgi.Send, error: UpstreamError | RequestError
) -> None:
    exchange.status = error.status
    exchange.summary.error_type = error.error_type
    exchange.error = error.message
    if isinstance(error, RequestError):
        return await asgi.respond_error(send, error)
    headers = {"content-type": "application/json", **dict(error.headers)}
    await asgi.respond(send, error.status, error.body, headers=headers)


async def _try_tier(gateway: Gateway, exchange: Exchange, name: str, send: asgi.Send) -> None:
    """Serve the exchange from one tier; raises UpstreamError before the first byte only."""
    await detect_server(gateway, name)
    tier = gateway.tiers[name]
    model = tier.config.model_for(exchange.request["model"])
    raw = exchange.raw or None  # b"": the request was changed here (see `_go_blind`)
    call = await tier.build_call(exchange.request, model, exchange.headers, raw)
    async with tier.open(call) as response:
        if response.status >= 400:
            body = await _read(response)
            now = time.time()
            raise tier.dialect.error_from_response(response.status, response.headers, body, now)
        if response.status != 200:  # 1xx/2xx oddities; the transport already refuses 3xx
            raise SwitchableError(
                502, f"the upstream answered {response.status}, not 200", reason="bad_response"
            )
        exchange.served = model
        relay = Relay(
            tier, exchange, model, response, send, gateway.config.ping_interval, call.reply
        )
        if call.stream:
            await relay.stream()
        else:
            await relay.whole()


async def _read(response: UpstreamResponse) -> bytes:
    try:
        return await response.read()
    except (UpstreamBroken, TimeoutError):
        return b""


def _finish(gateway: Gateway, exchange: Exchange, session: str, agent: str) -> None:
    """Log, count and journal the exchange; tell the tracker which model answered."""
    summary = exchange.summary
    served = summary.model or exchange.served
    latency = (time.perf_counter() - exchange.started) * 1000
    gateway.counts[(exchange.tier or "-", exchange.status)] += 1
    log.info(
        "%s %s %s %s %.0fms%s",
        exchange.status,
        exchange.tier or "-",
        served or "-",
        "stream" if exchange.request.get("stream") else "whole",
        latency,
        f" after {','.join(exchange.attempts)}" if exchange.attempts else "",
    )
    if exchange.status == 200:
        gateway.served[exchange.tier] = served
    if exchange.status == 200 and gateway.observer:
        gateway.observer.responded(
            session, served, exchange.tier, summary.tool_use, agent, tuple(summary.tool_ids)
        )
    row = _row(gateway, exchange, session, agent, served, latency)
    gateway.view.request(row, exchange.error)
    if gateway.journal:
        gateway.journal.record("requests", row)


def _cost(gateway: Gateway, exchange: Exchange, served: str) -> float | None:
    tier = gateway.tiers.get(exchange.tier)
    if exchange.status != 200 or tier is None:
        return None
    return pricing.cost(served, exchange.summary, tier.config)


def _row(
    gateway: Gateway, exchange: Exchange, session: str, agent: str, served: str, latency: float
) -> dict[str, Any]:
    summary = exchange.summary
    ttfb = (exchange.first_byte - exchange.started) * 1000 if exchange.first_byte else None
    return {
        "time": time.time(),
        "session": session,
        "agent": agent,
        "repo": exchange.repo,
        "requested_model": exchange.request.get("model", ""),
        "tier": exchange.tier,
        "served_model": served,
        "status": exchange.status,
        "stream": int(bool(exchange.request.get("stream"))),
        "latency_ms": latency,
        "ttfb_ms": ttfb,
        "input_tokens": summary.input_tokens,
        "output_tokens": summary.output_tokens,
        "cache_read_tokens": summary.cache_read,
        "cache_creation_tokens": summary.cache_creation,
        "cost": _cost(gateway, exchange, served),
        "stop_reason": summary.stop_reason,
        "tool_use": int(summary.tool_use),
        "error_type": summary.error_type,
        "attempts": ",".join(exchange.attempts),
        "client_key": exchange.client_key,
        "notes": exchange.notes,
    }


__all__ = ["Exchange", "handle_messages", "parse_request", "relay_headers"]
