"""A small pooled HTTP/1.1 client: exactly what the gateway needs from an upstream, no more.

    async with pool.open("POST", url, headers, body, connect_timeout=10,
                         first_byte_timeout=120, total_timeout=600, route=route) as response:
        response.status, response.headers        # once the headers are in
        await response.readany()                 # next chunk; b"" at the end
        await response.read()                    # the whole body

`route` says whether to go through a proxy and which TLS context to use (http1_connect).
Every request says `accept-encoding: identity`.

Errors, all naming host:port only (a URL's query may hold a key):

    SwitchableError 502 connect_error   could not connect (refused, DNS, TLS, proxy, timeout)
    SwitchableError 502 server_error    the upstream closed or garbled before its headers
    SwitchableError 502 bad_response    a redirect (3xx), a compressed body (content-encoding
                                        other than identity), or a content-length over the cap
    SwitchableError 504 timeout         no response headers within first_byte_timeout
    UpstreamBroken                      the connection broke off or garbled mid-body, or the
                                        body passed a size cap
    TimeoutError                        total_timeout passed while the body was read

Leaving the block returns the connection to the pool if the whole answer has arrived and
allows keep-alive; otherwise the socket is dropped, which cancels the upstream's work.
A request is sent at most once: a pooled connection is only retried on a fresh one when it
provably failed before any byte of the request left (found closed or readable while idle,
or the first write failed at once); once bytes went out, a failure is the tier's.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import cast

from switchex.errors import SwitchableError
from switchex.gateway.http1_connect import DIRECT, Connection, Route, open_connection
from switchex.gateway.http1_response import Headers, Response, UpstreamBroken
from switchex.gateway.http1_wire import Origin, bad_response, encode_request, origin_of
from switchex.gateway.tls import tls_context

Key = tuple[str, str, int, Route]  # scheme, host, port, route


class Pool:
    """Keep-alive connections per (scheme, host, port, route), reused last-in first-out.

    Belongs to the event loop it is first used on. `ssl_context` is the TLS context for
    routes that name none (default: the OS trust store, see `tls`). `max_line` and
    `max_body` cap an SSE answer's lines and any other answer's body (0: no cap).
    """

    def __init__(
        self,
        *,
        max_idle_per_host: int = 32,
        idle_timeout: float = 60.0,
        ssl_context: ssl.SSLContext | None = None,
        max_line: int = 0,
        max_body: int = 0,
    ) -> None:
        self.max_idle_per_host = max_idle_per_host
        self.idle_timeout = idle_timeout
        self.max_line, self.max_body = max_line, max_body
        self._ssl = ssl_context
        self._idle: dict[Key, list[Connection]] = {}
        self._all: set[Connection] = set()
        self._sweeper: asyncio.TimerHandle | None = None
        self.closed = False

    def open(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        connect_timeout: float,
        first_byte_timeout: float,
        total_timeout: float,
        label: str = "",
        route: Route = DIRECT,
    ) -> Call:
        """The call as an async context manager yielding the Response once headers are in.

        `label` (e.g. a tier name) prefixes host:port in error messages.
        """
        timeouts = (connect_timeout, first_byte_timeout, total_timeout)
        return Call(self, method, url, headers, body, timeouts, label, route)

    async def close(self) -> None:
        self.closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for connection in list(self._all):
            connection.abort()  # at once: a TLS goodbye could outlive the loop
        self._idle.clear()
        self._all.clear()
        await asyncio.sleep(0)  # let the transports run their close callbacks

    # -- connections ------------------------------------------------------------------------
    def take(self, key: Key, now: float) -> Connection | None:
        """The most recently used idle connection to `key`, if one is still good."""
        stack = self._idle.get(key)
        while stack:
            connection = stack.pop()
            if now - connection.idle_since > self.idle_timeout:
                stack.append(connection)
                self._drop(stack)  # everything below is older still
            elif connection.usable() and connection.silent():
                connection.reused = True
                return connection
            else:
                self.discard(connection)
        return None

    def put(self, connection: Connection, now: float) -> None:
        stack = self._idle.setdefault(cast(Key, connection.key), [])
        if self.closed or len(stack) >= self.max_idle_per_host:
            self._forget(connection)
            connection.close()
            return
        connection.idle_since = now
        stack.append(connection)
        if self._sweeper is None:
            loop = asyncio.get_running_loop()
            self._sweeper = loop.call_later(self.idle_timeout, self._sweep)

    def discard(self, connection: Connection) -> None:
        """Drop a connection that cannot be reused."""
        self._forget(connection)
        connection.abort()

    async def connect(self, key: Key, timeout: float, where: str) -> Connection:
        scheme, host, port, route = key
        context = (route.tls or self._context()) if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                connection = await open_connection((scheme, host, port), route, context, where)
        except TimeoutError:
            message = f"{where} did not accept a connection within {timeout:g} s"
            raise SwitchableError(502, message, reason="connect_error") from None
        if self.closed:
            connection.close()
            raise SwitchableError(502, "the upstream pool is closed", reason="connect_error")
        connection.key = key
        self._all.add(connection)
        return connection

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = tls_context()
        return self._ssl

    def _forget(self, connection: Connection) -> None:
        self._all.discard(connection)

    def _drop(self, stack: list[Connection]) -> None:
        for connection in stack:
            self._forget(connection)
            connection.close()
        stack.clear()

    def _sweep(self) -> None:
        """Close connections idle past the timeout; come back while any are left."""
        self._sweeper = None
        now = asyncio.get_running_loop().time()
        oldest = now
        for stack in self._idle.values():
            fresh = [c for c in stack if c.usable() and now - c.idle_since <= self.idle_timeout]
            self._drop([c for c in stack if c not in fresh])
            stack[:] = fresh
            if fresh:
                oldest = min(oldest, fresh[0].idle_since)
        self._idle = {key: stack for key, stack in self._idle.items() if stack}
        if self._idle and not self.closed:
            delay = oldest + self.idle_timeout - now + 0.01
            self._sweeper = asyncio.get_running_loop().call_later(delay, self._sweep)


class _Unsent(Exception):
    """The first write of the request failed at once: not a byte of it left."""


@dataclass(slots=True)
class Call:
    """One request through the pool; `async with` yields its Response."""

    pool: Pool
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    timeouts: tuple[float, float, float]  # connect, first byte (headers), total
    label: str
    route: Route
    response: Response | None = None

    async def __aenter__(self) -> Response:
        origin = origin_of(self.url)
        payload = encode_request(self.method, origin, self.headers, self.body, self.route)
        connect_timeout, first_byte_timeout, total_timeout = self.timeouts
        now = asyncio.get_running_loop().time()
        deadlines = (now + first_byte_timeout, now + total_timeout)
        where = self._where(origin)
        key = (*origin.key, self.route)
        connection = self.pool.take(key, now)
        if connection is not None:
            try:
                return await self._exchange(connection, payload, deadlines, where)
            except _Unsent:
                pass
        connection = await self.pool.connect(key, connect_timeout, where)
        try:
            return await self._exchange(connection, payload, deadlines, where)
        except _Unsent:
            message = f"{where} closed the connection before the request could be sent"
            raise SwitchableError(502, message, reason="connect_error") from None

    async def _exchange(
        self,
        connection: Connection,
        payload: bytes,
        deadlines: tuple[float, float],
        where: str,
    ) -> Response:
        pool, loop = self.pool, asyncio.get_running_loop()
        response = Response(connection, loop, where, pool.max_line, pool.max_body)
        connection.response = response
        response.arm(*deadlines, self.timeouts[2])
        transport = connection.transport
        assert transport is not None
        transport.write(payload)
        if transport.is_closing():  # usable a moment ago: this very write failed
            response.release()
            pool.discard(connection)
            raise _Unsent
        try:
            await response.wait_headers()
            bad_response(response, pool.max_body)
        except BaseException as error:
            response.release()
            pool.discard(connection)
            if isinstance(error, TimeoutError):
                message = f"{where} sent no response headers within {self.timeouts[1]:g} s"
                raise SwitchableError(504, message, reason="timeout") from None
            if isinstance(error, UpstreamBroken):
                said = str(error) if response.started else f"{where} closed without answering"
                raise SwitchableError(502, said, reason="server_error") from None
            raise
        self.response = response
        return response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        response = self.response
        assert response is not None
        connection = response.connection
        if response.release():
            self.pool.put(connection, asyncio.get_running_loop().time())
        else:
            self.pool.discard(connection)

    def _where(self, origin: Origin) -> str:
        _, host, port = origin.key
        via = f" via proxy {self.route.proxy.display}" if self.route.proxy else ""
        return f"{self.label} ({host}:{port}{via})" if self.label else f"{host}:{port}{via}"


__all__ = [
    "DIRECT",
    "Call",
    "Headers",
    "Pool",
    "Response",
    "Route",
    "UpstreamBroken",
    "encode_request",
    "origin_of",
]
