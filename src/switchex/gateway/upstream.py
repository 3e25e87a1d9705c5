"""How the gateway reaches upstreams: the `Transport` protocol and its fast implementation.

The gateway needs two things of a transport: open a call (an async context manager that
yields the response once its headers are in) and close. `HTTP1Transport` is switchex's own
pooled HTTP/1.1 client (`http1`) with each tier's proxy and TLS settings applied; tests and
other tiers may bring any object with the same shape.

Invariant of every transport: a failure before the response headers (connect error, proxy
refusal, TLS, timeout, redirect, compressed answer) raises SwitchableError, so the router
can fail over; afterwards the body raises UpstreamBroken (re-exported here) or TimeoutError.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from switchex.config import LimitsConfig, TierConfig
from switchex.gateway.http1 import Call, Pool, Route, UpstreamBroken, origin_of
from switchex.gateway.proxy import proxy_for
from switchex.gateway.tls import tls_context
from switchex.providers.base import UpstreamCall

log = logging.getLogger("switchex.gateway")


class UpstreamResponse(Protocol):
    """An upstream's answer once its headers are in."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    async def readany(self) -> bytes:
        """The body bytes that arrived since the last call; b"" at the end."""
        ...

    async def read(self) -> bytes:
        """The whole (rest of the) body."""
        ...


class Transport(Protocol):
    """What the gateway needs to send calls upstream."""

    @property
    def closed(self) -> bool: ...

    def open(
        self, call: UpstreamCall, tier: TierConfig
    ) -> AbstractAsyncContextManager[UpstreamResponse]:
        """Send `call` with `tier`'s timeouts and network settings."""
        ...

    async def close(self) -> None: ...


_RouteKey = tuple[str | None, str | None, bool, str, str, int]


class HTTP1Transport:
    """The pooled HTTP/1.1 client; one route (proxy, TLS context) per tier setting and origin."""

    def __init__(self, limits: LimitsConfig | None = None, pool: Pool | None = None) -> None:
        limits = limits or LimitsConfig()
        self.pool = pool or Pool(
            max_line=limits.sse_line_bytes, max_body=limits.upstream_body_bytes
        )
        self._routes: dict[_RouteKey, Route] = {}

    @property
    def closed(self) -> bool:
        return self.pool.closed

    def open(self, call: UpstreamCall, tier: TierConfig) -> Call:
        return self.pool.open(
            call.method,
            call.url,
            call.headers,
            call.body,
            connect_timeout=tier.connect_timeout,
            # a whole answer asked in place of a stream sends its headers once generated
            first_byte_timeout=tier.timeout
            if call.reply.whole_upstream
            else tier.first_byte_timeout,
            total_timeout=tier.timeout,
            label=f"tier {tier.name!r}",
            route=self.route(call.url, tier),
        )

    def route(self, url: str, tier: TierConfig) -> Route:
        """The proxy and TLS context for `url` under `tier`'s settings (built once)."""
        scheme, host, port = origin_of(url).key
        key = (tier.proxy, tier.ca_bundle, tier.verify, scheme, host, port)
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = self._new_route(tier, scheme, host, port)
        return route

    def _new_route(self, tier: TierConfig, scheme: str, host: str, port: int) -> Route:
        if not tier.verify and scheme == "https":
            log.warning("tier %s: TLS certificates are NOT verified (verify: false)", tier.name)
        proxy = proxy_for(scheme, host, port, tier.proxy)
        if proxy is not None:
            log.info("tier %s: %s:%d via proxy %s", tier.name, host, port, proxy.display)
        custom = tier.ca_bundle is not None or not tier.verify
        return Route(proxy, tls_context(tier.ca_bundle, tier.verify) if custom else None)

    async def close(self) -> None:
        await self.pool.close()


def _header_timeout(call: UpstreamCall, tier: TierConfig) -> float:
    """A whole answer asked in place of a stream sends its headers only once generated."""
    return tier.timeout if call.reply.whole_upstream else tier.first_byte_timeout


def new_session(limits: LimitsConfig | None = None) -> HTTP1Transport:
    """The transport for every tier: one pool of keep-alive connections."""
    return HTTP1Transport(limits)


def open_call(
    transport: Transport, call: UpstreamCall, tier: TierConfig
) -> AbstractAsyncContextManager[UpstreamResponse]:
    """Send the call; `async with` yields the response once its headers are in.

    Connect errors and a timeout before the headers raise SwitchableError, so the router
    can fail over; the connection goes back to the pool (or is closed) when the block ends.
    A whole answer asked in place of a stream (`reply.whole_upstream`) sends its headers only
    once generated, so it gets the tier's whole-answer `timeout` for them.
    """
    return transport.open(call, tier)


__all__ = [
    "HTTP1Transport",
    "Transport",
    "UpstreamBroken",
    "UpstreamResponse",
    "new_session",
    "open_call",
]
