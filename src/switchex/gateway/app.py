"""The ASGI application: a small router over the gateway's endpoints.

Raw ASGI on purpose: the hot path (`POST /v1/messages`) pays for no framework.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path

import orjson

from switchex.config import Config
from switchex.errors import RequestError
from switchex.gateway import asgi, dashboard, endpoints, metrics, status
from switchex.gateway.context import Gateway, RequestObserver, log
from switchex.gateway.messages import handle_messages
from switchex.gateway.router import Router, SwitchEvent
from switchex.journal.db import Journal
from switchex.providers.base import Provider


def default_providers() -> dict[str, Provider]:
    from switchex.providers.anthropic import AnthropicProvider
    from switchex.providers.gemini import GeminiProvider
    from switchex.providers.openai import OpenAIProvider

    return {
        "anthropic": AnthropicProvider(),
        "openai": OpenAIProvider(),
        "gemini": GeminiProvider(),
    }


def create_gateway(
    config: Config,
    state_dir: Path | None,
    observer: RequestObserver | None = None,
    on_switch: list[Callable[[SwitchEvent], None]] | None = None,
    providers: dict[str, Provider] | None = None,
) -> Gateway:
    """The gateway for a frozen config; `state_dir` None keeps no journal (benchmarks)."""
    router = Router(
        [tier.name for tier in config.active_tiers],
        initial_backoff=config.cooldown.initial,
        max_backoff=config.cooldown.maximum,
    )
    journal = Journal(state_dir / "journal.sqlite3") if state_dir else None
    return Gateway(
        config, router, providers or default_providers(), journal, observer, list(on_switch or [])
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
            await asgi.respond_json(send, 200, status.status_json(gateway))
        elif path == "/metrics" and method == "GET":
            body = await asyncio.to_thread(status.metrics_text, gateway)
            await asgi.respond(send, 200, body, metrics.CONTENT_TYPE)
        elif path == "/events" and method == "GET":
            await gateway.view.events.stream(receive, send)
        elif path == "/" or path.startswith(("/api/", "/static/")):
            await dashboard.serve(gateway, method, path, scope, receive, send)
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
        handler = getattr(self.gateway.observer, "hook", None)
        if handler is not None and isinstance(payload, dict):
            await asyncio.to_thread(handler, event, payload)
        await asgi.respond(send, 200, b'{"ok":true}')

    async def _lifespan(self, receive: asgi.Receive, send: asgi.Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.gateway.http()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        gateway = self.gateway
        if gateway.pool is not None:
            await gateway.pool.close()
        closer = getattr(gateway.observer, "close", None)
        if closer is not None:
            closer()
        for closer in self.closers:
            closer()
        if gateway.journal:
            gateway.journal.close()
