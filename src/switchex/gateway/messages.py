"""POST /v1/messages: pick a tier, fail over before the first byte, relay or translate.

The rule that shapes this module: once a byte of the answer has reached the client, the
answer belongs to that tier. Before that, any switch-worthy failure cools the tier and the
next one is tried at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from switchex.errors import RequestError, SwitchableError, UpstreamError, UpstreamRejected
from switchex.gateway import asgi, pricing
from switchex.gateway.context import Gateway, log
from switchex.gateway.http1 import Response, UpstreamBroken
from switchex.gateway.relay import Relay, relay_headers
from switchex.gateway.summary import ResponseSummary
from switchex.gateway.validate import validate_request
from switchex.providers.base import Json
from switchex.state.base import credential_scope
from switchex.tracker.session import session_id


@dataclass
class Exchange:
    """One client request as it goes through the chain."""

    request: Json
    raw: bytes
    headers: dict[str, str]
    started: float = field(default_factory=time.perf_counter)
    tier: str = ""
    served: str = ""
    repo: str = ""
    status: int = 0
    first_byte: float | None = None
    attempts: list[str] = field(default_factory=list)
    client_key: str = ""  # the name of a served gateway's client key
    summary: ResponseSummary = field(default_factory=ResponseSummary)


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


def all_cooling(gateway: Gateway, scope: str | None = None) -> UpstreamError:
    soonest = gateway.router.soonest_expiry(scope)
    wait = max(1, int((soonest or time.time()) - time.time() + 0.999))
    states = gateway.router.states.values()
    detail = ", ".join(f"{s.name} ({s.reason})" for s in states if s.reason) or "none ready"
    return UpstreamError(
        429,
        f"every tier of the switchex chain is cooling: {detail}; retry in {wait} s",
        "rate_limit_error",
        {"retry-after": str(wait)},
    )


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
    plan = await gateway.state.claim(router, router.plan(scope), scope)
    try:
        for name in plan:
            exchange.tier = name
            try:
                await _try_tier(gateway, exchange, name, send)
                event = gateway.router.served(name, scope)
                if event:
                    gateway.switched(event)
                return
            except SwitchableError as error:
                until = gateway.router.failed(name, error, scope)
                exchange.attempts.append(f"{name}:{error.status}:{error.reason}")
                log.warning(
                    "tier %s failed (%s %s), cooling %.0f s",
                    name,
                    error.status,
                    error.reason,
                    until - time.time(),
                )
            except UpstreamRejected as error:
                gateway.router.release(name, scope)
                exchange.attempts.append(f"{name}:{error.status}")
                await _send_error(exchange, send, error)
                return
        await _send_error(exchange, send, all_cooling(gateway, scope))
    finally:
        for name in plan:  # probes claimed by this request but never answered
            if router.state(name, scope).probing:
                router.release(name, scope)


async def _send_error(exchange: Exchange, send: asgi.Send, error: UpstreamError) -> None:
    exchange.status = error.status
    exchange.summary.error_type = error.error_type
    headers = {"content-type": "application/json", **dict(error.headers)}
    await asgi.respond(send, error.status, error.body, headers=headers)


async def _try_tier(gateway: Gateway, exchange: Exchange, name: str, send: asgi.Send) -> None:
    """Serve the exchange from one tier; raises UpstreamError before the first byte only."""
    from switchex.gateway.upstream import open_call

    tier = gateway.tiers[name]
    provider = gateway.providers[tier.provider]
    model = tier.model_for(exchange.request["model"])
    call = provider.build_call(
        gateway.specs[name], exchange.request, model, exchange.headers, exchange.raw
    )
    call = await provider.authorize(gateway.specs[name], call)
    async with open_call(gateway.http(), call, tier) as response:
        if response.status >= 400:
            body = await _read(response)
            raise provider.error_from_response(response.status, response.headers, body, time.time())
        exchange.served = model
        relay = Relay(gateway, provider, exchange, model, response, send)
        if call.stream:
            await relay.stream()
        else:
            await relay.whole()


async def _read(response: Response) -> bytes:
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
    if gateway.journal:
        gateway.journal.record("requests", _row(exchange, session, agent, served, latency))


def _row(exchange: Exchange, session: str, agent: str, served: str, latency: float) -> Any:
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
        "cost": pricing.cost(served, summary),
        "stop_reason": summary.stop_reason,
        "tool_use": int(summary.tool_use),
        "error_type": summary.error_type,
        "attempts": ",".join(exchange.attempts),
        "client_key": exchange.client_key,
    }


__all__ = ["handle_messages", "parse_request", "relay_headers"]
