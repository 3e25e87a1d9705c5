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
from switchex.gateway import asgi, endpoints
from switchex.gateway.context import Gateway, RequestObserver, log
from switchex.gateway.dashboard import PAGE
from switchex.gateway.messages import handle_messages
from switchex.gateway.router import Router, SwitchEvent
from switchex.journal.open import open_journal
from switchex.keys import GUARDED, KeyRing
from switchex.providers.base import Provider
from switchex.state.base import StateStore
from switchex.state.open import open_store, scoped_tiers


def default_providers() -> dict[str, Provider]:
    from switchex.providers.anthropic import AnthropicProvider
    from switchex.providers.bedrock import BedrockProvider
    from switchex.providers.gemini import GeminiProvider
    from switchex.providers.openai import OpenAIProvider
    from switchex.providers.vertex import VertexProvider

    return {
        "anthropic": AnthropicProvider(),
        "openai": OpenAIProvider(),
        "gemini": GeminiProvider(),
        "vertex": VertexProvider(),
        "bedrock": BedrockProvider(),
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
        scoped=scoped_tiers(config),
    )
    journal = open_journal(config, state_dir)
    gateway = Gateway(
        config, router, providers or default_providers(), journal, observer, list(on_switch or [])
    )
    attach_store(gateway, open_store(config))
    return gateway


def attach_store(gateway: Gateway, store: StateStore) -> None:
    """Team mode: the store mirrors the router and shares switch events (DESIGN.md §13)."""
    gateway.state = store
    store.bind(gateway.router, gateway.switches.append)
    gateway.on_switch.append(store.switched)


class App:
    """ASGI entry point."""

    def __init__(self, gateway: Gateway, closers: list[Callable[[], None]] | None = None) -> None:
        self.gateway = gateway
        self.closers = list(closers or [])
        self.keys = KeyRing.from_config(gateway.config)

    async def __call__(self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return
        method, path = scope["method"], scope["path"]
        if self.keys.required and path in GUARDED and not await self._admitted(scope, send):
            return
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

    async def _admitted(self, scope: asgi.Scope, send: asgi.Send) -> bool:
        """A served gateway's client key (DESIGN.md §13); its name goes with the request."""
        name = self.keys.key_name(asgi.request_headers(scope))
        if name is None:
            error = self.keys.refusal(scope["path"])
            challenge = {"www-authenticate": 'Basic realm="switchex"'}
            await asgi.respond(send, 401, error.body(), headers=challenge)
            return False
        scope["switchex.client_key"] = name
        return True

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
                await self.gateway.state.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        gateway = self.gateway
        await gateway.state.close()
        self.keys.close()
        if gateway.pool is not None:
            await gateway.pool.close()
        closer = getattr(gateway.observer, "close", None)
        if closer is not None:
            closer()
        for closer in self.closers:
            closer()
        if gateway.journal:
            gateway.journal.close()
