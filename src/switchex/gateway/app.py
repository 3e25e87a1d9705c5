"""The ASGI application: a small router over the gateway's endpoints.

Raw ASGI on purpose: the hot path (`POST /v1/messages`) pays for no framework.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path

import orjson

from switchex.config import Config
from switchex.errors import RequestError
from switchex.gateway import asgi, endpoints
from switchex.gateway.context import Gateway, RequestObserver, SwitchListener, log
from switchex.gateway.dashboard import PAGE
from switchex.gateway.messages import handle_messages
from switchex.gateway.router import Router
from switchex.gateway.tier import PooledTransport, Transport, build_tiers
from switchex.journal.db import Journal
from switchex.providers.base import Provider


def create_gateway(
    config: Config,
    state_dir: Path | None,
    observer: RequestObserver | None = None,
    on_switch: list[SwitchListener] | None = None,
    dialects: Mapping[str, Provider] | None = None,
    transport: Transport | None = None,
) -> Gateway:
    """The gateway for a frozen config; `state_dir` None keeps no journal (benchmarks).

    Dialects come from the tier registry unless `dialects` overrides some kinds (tests).
    """
    transport = transport or PooledTransport()
    tiers = build_tiers(config, transport, dialects)
    cooldown = config.cooldown
    router = Router(
        list(tiers),
        initial_backoff=cooldown.initial,
        max_backoff=cooldown.maximum,
        max_reset=cooldown.max_reset,
        auth_cooldown=cooldown.auth,
    )
    journal = Journal(state_dir / "journal.sqlite3") if state_dir else None
    return Gateway(
        config, tiers, router, journal, observer, list(on_switch or []), transport=transport
    )


class App:
    """ASGI entry point."""

    def __init__(self, gateway: Gateway, closers: list[Callable[[], None]] | None = None) -> None:
        self.gateway = gateway
        self.closers = list(closers or [])

    async def __call__(self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return
        method, path = scope["method"], scope["path"]
        try:
            await self._route(method, path, scope, receive, send)
        except Exception:
            log.exception("unhandled error on %s %s", method, path)
            error = RequestError("switchex hit an internal error; see its log", 500, "api_error")
            with contextlib.suppress(Exception):  # the response may have started already
                await asgi.respond_error(send, error)

    async def _route(
        self, method: str, path: str, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send
    ) -> None:
        gateway = self.gateway
        if path == "/v1/messages" and method == "POST":
            await handle_messages(gateway, scope, receive, send)
        elif path == "/v1/messages/count_tokens" and method == "POST":
            await endpoints.count_tokens(gateway, scope, receive, send)
        elif path in ("/api/hello", "/health") and method in ("GET", "HEAD"):
            await asgi.respond(send, 200, b'{"ok":true}')
        elif path == "/v1/models" and method == "GET":
            await asgi.respond_json(send, 200, endpoints.models_json(gateway))
        elif path == "/status" and method == "GET":
            await asgi.respond_json(send, 200, endpoints.status_json(gateway))
        elif path == "/" and method == "GET":
            await asgi.respond(send, 200, PAGE, "text/html; charset=utf-8")
        elif path == "/metrics" and method == "GET":
            text = endpoints.metrics_text(gateway).encode()
            await asgi.respond(send, 200, text, "text/plain; version=0.0.4")
        elif path.startswith("/hook/") and method == "POST":
            await self._hook(path.removeprefix("/hook/"), receive, send)
        else:
            error = RequestError(f"{method} {path} is not an endpoint of switchex", 404)
            await asgi.respond_error(send, error)

    async def _hook(self, event: str, receive: asgi.Receive, send: asgi.Send) -> None:
        """Claude Code hook events forwarded by `switchex hook`."""
        try:
            payload = orjson.loads(await asgi.read_body(receive, 1024 * 1024))
        except (orjson.JSONDecodeError, RequestError, asgi.ClientGone):
            await asgi.respond_error(send, RequestError("hook body must be JSON"))
            return
        observer = self.gateway.observer
        if observer is not None and isinstance(payload, dict):
            await asyncio.to_thread(observer.hook, event, payload)
        await asgi.respond(send, 200, b'{"ok":true}')

    async def _lifespan(self, receive: asgi.Receive, send: asgi.Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        """Close the gateway's transport and sinks, then the extra closers (the notifier)."""
        await self.gateway.close()
        for closer in self.closers:
            closer()
