"""The ASGI application: a small router over the gateway's endpoints.

Raw ASGI on purpose: the hot path (`POST /v1/messages`) pays for no framework.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson

from switchex.config import Config
from switchex.errors import RequestError
from switchex.gateway import asgi, dashboard, endpoints, guard, metrics, status
from switchex.gateway.context import Gateway, RequestObserver, SwitchListener, log
from switchex.gateway.messages import handle_messages
from switchex.gateway.router import Router
from switchex.gateway.tier import PooledTransport, build_tiers
from switchex.gateway.upstream import Transport
from switchex.journal.open import open_journal
from switchex.keys import KeyRing, guarded
from switchex.providers.base import Provider
from switchex.secret import HOOK_SECRET_HEADER, valid_settings_token
from switchex.state.base import StateStore
from switchex.state.open import open_store, scoped_tiers

HOOK_BODY_LIMIT = 1024 * 1024
HOOK_THREADS = 16
REFUSALS_PER_SECOND = 20


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
    transport = transport or PooledTransport(config.limits)
    tiers = build_tiers(config, transport, dialects)
    cooldown = config.cooldown
    router = Router(
        list(tiers),
        initial_backoff=cooldown.initial,
        max_backoff=cooldown.maximum,
        max_reset=cooldown.max_reset,
        auth_cooldown=cooldown.auth,
        scoped=scoped_tiers(config),
    )
    journal = open_journal(config, state_dir)
    gateway = Gateway(
        config, tiers, router, journal, observer, list(on_switch or []), transport=transport
    )
    attach_store(gateway, open_store(config))
    return gateway


def attach_store(gateway: Gateway, store: StateStore) -> None:
    """Team mode: the store mirrors the router and shares switch events (DESIGN.md §13)."""
    gateway.state = store
    store.bind(gateway.router, gateway.switches.append)
    gateway.on_switch.append(store.switched)


class App:
    """ASGI entry point. Every request passes `guard.check` before any endpoint sees it.

    `hook_secret` authenticates `/hook/*`; without one (no state dir) a random secret nobody
    knows is used, so hooks are refused.
    """

    def __init__(
        self,
        gateway: Gateway,
        closers: list[Callable[[], None]] | None = None,
        hook_secret: str | None = None,
    ) -> None:
        self.gateway = gateway
        self.closers = list(closers or [])
        self.hook_secret = hook_secret or secrets.token_urlsafe(32)
        self.keys = KeyRing.from_config(gateway.config)
        self._policies: dict[int, guard.Policy] = {}
        self._logged: set[str] = set()
        self._window = (0, 0)  # (second, refusals journaled in it)
        # Hooks may wait seconds for their snapshot: their own threads, not the loop's default
        # executor (which name resolution and others share).
        self._hook_threads = ThreadPoolExecutor(HOOK_THREADS, thread_name_prefix="switchex-hook")

    async def __call__(self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return
        method, path = scope["method"], scope["path"]
        try:
            refusal = self._check(method, scope)
            if refusal is not None:
                await self.refuse(scope, refusal, send)
                return
            if self.keys.required and guarded(path) and not await self._admitted(scope, send):
                return
            await self._route(method, path, scope, receive, send)
        except RequestError as refused:  # a translator refused the input: the client's fault
            with contextlib.suppress(Exception):  # the response may have started already
                await asgi.respond_error(send, refused)
        except Exception:
            log.exception("unhandled error on %s %s", method, path)
            error = RequestError("switchex hit an internal error; see its log", 500, "api_error")
            with contextlib.suppress(Exception):  # the response may have started already
                await asgi.respond_error(send, error)

    def _check(self, method: str, scope: asgi.Scope) -> RequestError | None:
        """Host, Origin and content type (client keys: `_admitted`)."""
        headers = asgi.request_headers(scope)
        server = scope.get("server") or ("", 0)
        policy = self._policies.get(server[1])
        if policy is None:
            config = self.gateway.config.server
            policy = guard.Policy.build(config.host, server[1] or 0, config.public_names)
            self._policies[server[1]] = policy
        return guard.check(policy, method, headers)

    async def refuse(self, scope: asgi.Scope, error: RequestError, send: asgi.Send) -> None:
        """Answer a refused request and journal it (`refusals`)."""
        with contextlib.suppress(Exception):  # the client may be gone
            await asgi.respond_error(send, error)
        self.refused(scope.get("method", ""), scope.get("path", ""), error)

    def refused(self, method: str, path: str, error: RequestError) -> None:
        """Log (at warning level once per kind) and journal a refusal.

        At most `REFUSALS_PER_SECOND` are journaled per second: a hostile page looping on
        refused requests cannot fill the disk.
        """
        kind = f"{error.status} {error.error_type}"
        level = logging.INFO if kind in self._logged else logging.WARNING
        self._logged.add(kind)
        log.log(level, "refused %s %s: %s %s", method, path[:200], error.status, error.message)
        second = int(time.monotonic())
        if self._window[0] != second:
            self._window = (second, 0)
        self._window = (second, self._window[1] + 1)
        if self.gateway.journal and self._window[1] <= REFUSALS_PER_SECOND:
            row = {
                "time": time.time(),
                "method": method[:16],
                "path": path[:200],
                "status": error.status,
                "error_type": error.error_type,
                "reason": error.message[:300],
            }
            self.gateway.journal.record("refusals", row)

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
            await self._hook(path.removeprefix("/hook/"), scope, receive, send)
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

    async def _hook(
        self, event: str, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send
    ) -> None:
        """Claude Code hook events; only with the install's hook secret (or a settings token
        derived from it), else nothing changes. The answer waits for the observer: for
        `PostToolBatch` that is its snapshot, so Claude Code's next request cannot race it."""
        given = guard.bearer_or_header(asgi.request_headers(scope), HOOK_SECRET_HEADER)
        secret = self.hook_secret
        if not (guard.same_secret(given, secret) or valid_settings_token(secret, given)):
            message = "hook secret missing or wrong (see README, Security)"
            await self.refuse(scope, RequestError(message, 401), send)
            return
        try:
            payload = orjson.loads(await asgi.read_body(receive, HOOK_BODY_LIMIT))
        except RequestError as error:
            await self.refuse(scope, error, send)
            return
        except asgi.ClientGone:
            return
        except orjson.JSONDecodeError:
            await asgi.respond_error(send, RequestError("hook body must be JSON"))
            return
        observer = self.gateway.observer
        if observer is not None and isinstance(payload, dict):
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._hook_threads, observer.hook, event, payload)
        await asgi.respond(send, 200, b"{}")  # Claude Code reads it as hook output: nothing

    async def _lifespan(self, receive: asgi.Receive, send: asgi.Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.gateway.state.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        """Close the shared state, the key ring, the gateway's transport and sinks, then the
        extra closers (the notifier)."""
        await self.gateway.state.close()
        self.keys.close()
        await self.gateway.close()
        for closer in self.closers:
            closer()
        self._hook_threads.shutdown(wait=False, cancel_futures=True)
