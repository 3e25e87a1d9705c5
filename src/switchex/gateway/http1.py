"""A small pooled HTTP/1.1 client: exactly what the gateway needs from an upstream, no more.

    async with pool.open("POST", url, headers, body, connect_timeout=10,
                         first_byte_timeout=120, total_timeout=600) as response:
        response.status, response.headers        # once the headers are in
        await response.readany()                 # next chunk; b"" at the end
        await response.read()                    # the whole body

Errors, all naming host:port only (a URL's query may hold a key):

    SwitchableError 502 connect_error   could not connect (refused, DNS, TLS, connect timeout)
    SwitchableError 502 server_error    the upstream closed or garbled before its headers
    SwitchableError 504 timeout         no response headers within first_byte_timeout
    UpstreamBroken                      the connection broke off or garbled mid-body
    TimeoutError                        total_timeout passed while the body was read

Leaving the block returns the connection to the pool if the whole answer has arrived and
allows keep-alive; otherwise the socket is dropped, which cancels the upstream's work.
A pooled connection that fails before any response byte (the server closed it while idle)
is retried once on a fresh connection.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import NamedTuple
from urllib.parse import urlsplit

from switchex.errors import SwitchableError
from switchex.gateway.http1_response import Connection, Headers, Response, UpstreamBroken

Key = tuple[str, str, int]
_SET_HERE = frozenset({"host", "content-length", "connection", "transfer-encoding"})


class Origin(NamedTuple):
    key: Key  # (scheme, host, port)
    host_header: str
    target: str  # path and query


@functools.lru_cache(maxsize=256)
def origin_of(url: str) -> Origin:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {parts.scheme}://{parts.hostname}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.netloc.rpartition("@")[2]
    return Origin((parts.scheme, parts.hostname, port), host_header, target)


def encode_request(method: str, origin: Origin, headers: Mapping[str, str], body: bytes) -> bytes:
    """Request line, the caller's headers plus Host/Content-Length/Connection, and the body."""
    lines = [f"{method} {origin.target} HTTP/1.1\r\nhost: {origin.host_header}\r\n"]
    lines += [f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() not in _SET_HERE]
    lines.append(f"content-length: {len(body)}\r\nconnection: keep-alive\r\n\r\n")
    head = "".join(lines)
    breaks = len(lines) + 3
    if head.count("\n") != breaks or head.count("\r") != breaks:
        raise ValueError("a request header holds a line break")
    try:
        return head.encode("latin-1") + body
    except UnicodeEncodeError:
        return head.encode() + body


class Pool:
    """Keep-alive connections per (scheme, host, port), reused last-in first-out.

    Belongs to the event loop it is first used on. `ssl_context` replaces the default
    (system trust) context for https, e.g. to trust a test certificate.
    """

    def __init__(
        self,
        *,
        max_idle_per_host: int = 32,
        idle_timeout: float = 60.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.max_idle_per_host = max_idle_per_host
        self.idle_timeout = idle_timeout
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
    ) -> Call:
        """The call as an async context manager yielding the Response once headers are in.

        `label` (e.g. a tier name) prefixes host:port in error messages.
        """
        return Call(
            self,
            method,
            url,
            headers,
            body,
            connect_timeout,
            first_byte_timeout,
            total_timeout,
            label,
        )

    async def close(self) -> None:
        self.closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for connection in list(self._all):
            connection.close()
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
            elif connection.usable():
                connection.reused = True
                return connection
            else:
                self._forget(connection)
        return None

    def put(self, connection: Connection, now: float) -> None:
        stack = self._idle.setdefault(connection.key, [])
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

    async def connect(self, origin: Origin, timeout: float, where: str) -> Connection:
        scheme, host, port = origin.key
        context = self._context() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    Connection, host, port, ssl=context, server_hostname=host if context else None
                )
        except TimeoutError:
            message = f"{where} did not accept a connection within {timeout:g} s"
            raise SwitchableError(502, message, reason="connect_error") from None
        except OSError as error:
            message = f"{where} is unreachable: {type(error).__name__}"
            raise SwitchableError(502, message, reason="connect_error") from None
        if self.closed:
            connection.close()
            raise SwitchableError(502, "the upstream pool is closed", reason="connect_error")
        connection.key = origin.key
        self._all.add(connection)
        return connection

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
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


class _Stale(Exception):
    """A pooled connection failed before any byte of the answer: retry on a fresh one."""


@dataclass(slots=True)
class Call:
    """One request through the pool; `async with` yields its Response."""

    pool: Pool
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    connect_timeout: float
    first_byte_timeout: float
    total_timeout: float
    label: str
    response: Response | None = None

    async def __aenter__(self) -> Response:
        origin = origin_of(self.url)
        payload = encode_request(self.method, origin, self.headers, self.body)
        loop = asyncio.get_running_loop()
        now = loop.time()
        first_byte_at, deadline = now + self.first_byte_timeout, now + self.total_timeout
        where = self._where(origin)
        connection = self.pool.take(origin.key, now)
        if connection is not None:
            try:
                return await self._exchange(connection, payload, first_byte_at, deadline, where)
            except _Stale:
                pass
        connection = await self.pool.connect(origin, self.connect_timeout, where)
        try:
            return await self._exchange(connection, payload, first_byte_at, deadline, where)
        except _Stale:
            message = f"{where} closed the connection without answering"
            raise SwitchableError(502, message, reason="server_error") from None

    async def _exchange(
        self,
        connection: Connection,
        payload: bytes,
        first_byte_at: float,
        deadline: float,
        where: str,
    ) -> Response:
        loop = asyncio.get_running_loop()
        response = Response(connection, loop, where)
        connection.response = response
        response.arm(first_byte_at, deadline, self.total_timeout)
        assert connection.transport is not None
        connection.transport.write(payload)
        try:
            await response.wait_headers()
        except BaseException as error:
            response.release()
            self.pool.discard(connection)
            if isinstance(error, TimeoutError):
                message = f"{where} sent no response headers within {self.first_byte_timeout:g} s"
                raise SwitchableError(504, message, reason="timeout") from None
            if not isinstance(error, UpstreamBroken):
                raise
            if connection.reused and not response.started:
                raise _Stale from None
            raise SwitchableError(502, str(error), reason="server_error") from None
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
        return f"{self.label} ({host}:{port})" if self.label else f"{host}:{port}"


__all__ = ["Call", "Headers", "Pool", "Response", "UpstreamBroken", "encode_request", "origin_of"]
