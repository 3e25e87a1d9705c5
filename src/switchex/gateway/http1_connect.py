"""A connection to an upstream (the asyncio Protocol), and opening one: directly, or
through an http:// proxy.

    direct              TCP (+ TLS for https) to the origin
    proxy, http origin  TCP to the proxy; requests then go in absolute form
    proxy, https origin TCP to the proxy, `CONNECT host:port`, then TLS inside the tunnel

Every failure, including the proxy refusing the tunnel (407, 403, 502 …), is a
SwitchableError `connect_error` naming host:port and the proxy's host:port, never a
credential. The whole sequence shares one `timeout`.
"""

from __future__ import annotations

import asyncio
import select
import ssl
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from switchex.errors import SwitchableError
from switchex.gateway.proxy import Proxy

if TYPE_CHECKING:
    from switchex.gateway.http1_response import Response

MAX_TUNNEL_REPLY = 64 * 1024


class Connection(asyncio.Protocol):
    """A socket to one upstream origin; serves one Response at a time."""

    __slots__ = ("closed", "fd", "idle_since", "key", "response", "reused", "transport")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.key: Hashable = None  # the pool's key: origin and route
        self.fd = -1
        self.response: Response | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.attach(transport)

    def attach(self, transport: asyncio.BaseTransport) -> None:
        """Take `transport` as this connection's (also after start_tls, which skips the above)."""
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None else -1

    def data_received(self, data: bytes) -> None:
        if self.response is None:  # an idle connection must stay silent
            self.abort()
        else:
            self.response.feed(data)

    def eof_received(self) -> None:
        if self.response is not None:
            self.response.feed_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.response is not None:
            self.response.lost(exc)

    def usable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    def silent(self) -> bool:
        """Nothing waits on the idle socket: no stray byte, no EOF the loop has not seen yet.

        Checked just before a pooled connection takes a request, so one the server already
        closed is never written to (a request that was written is never sent again).
        """
        if self.fd < 0:
            return True
        try:
            return not _readable(self.fd)
        except (OSError, ValueError):
            return False

    def abort(self) -> None:
        """Drop the socket at once (a response cut short cannot be reused)."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _readable(fd: int) -> bool:
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


@dataclass(frozen=True, slots=True)
class Route:
    """How to reach an origin: through `proxy` or not, with `tls` for https (None: default)."""

    proxy: Proxy | None = None
    tls: ssl.SSLContext | None = None


DIRECT = Route()


class _TunnelReply(asyncio.Protocol):
    """Reads the proxy's answer to CONNECT, up to its blank line."""

    def __init__(self) -> None:
        self.head = b""
        self.done: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.head += data
        if self.done.done():
            return
        if b"\r\n\r\n" in self.head or len(self.head) > MAX_TUNNEL_REPLY:
            self.done.set_result(self.head)

    def eof_received(self) -> None:
        if not self.done.done():
            self.done.set_result(self.head)

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof_received()


def _failed(message: str) -> SwitchableError:
    return SwitchableError(502, message, reason="connect_error")


async def open_connection(
    key: tuple[str, str, int], route: Route, context: ssl.SSLContext | None, where: str
) -> Connection:
    """A connected Connection to the origin `key` along `route` (call under a timeout)."""
    scheme, host, port = key
    loop = asyncio.get_running_loop()
    proxy = route.proxy
    if proxy is None:
        _, connection = await _create(loop, host, port, context, where)
        return connection
    if scheme == "http":
        _, connection = await _create(loop, proxy.host, proxy.port, None, where)
        return connection
    return await _tunnel(loop, key, proxy, context, where)


async def _create(
    loop: asyncio.AbstractEventLoop,
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    where: str,
) -> tuple[asyncio.BaseTransport, Connection]:
    try:
        return await loop.create_connection(
            Connection, host, port, ssl=context, server_hostname=host if context else None
        )
    except OSError as error:  # ssl.SSLError is one
        raise _failed(f"{where} is unreachable: {type(error).__name__}") from None


async def _tunnel(
    loop: asyncio.AbstractEventLoop,
    key: tuple[str, str, int],
    proxy: Proxy,
    context: ssl.SSLContext | None,
    where: str,
) -> Connection:
    _, host, port = key
    target = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {target} HTTP/1.1\r\nhost: {target}\r\n"]
    if proxy.authorization:
        lines.append(f"proxy-authorization: {proxy.authorization}\r\n")
    try:
        raw, reply = await loop.create_connection(_TunnelReply, proxy.host, proxy.port)
    except OSError as error:
        raise _failed(f"{where}: the proxy is unreachable: {type(error).__name__}") from None
    try:
        raw.write(("".join(lines) + "\r\n").encode("latin-1"))
        head = await reply.done
        status = _status(head)
        if status != 200:
            said = f"answered {status}" if status else "did not answer"
            raise _failed(f"{where}: the proxy {said} to CONNECT")
        if not head.endswith(b"\r\n\r\n") or head.count(b"\r\n\r\n") != 1:
            raise _failed(f"{where}: the proxy sent bytes after its CONNECT reply")
        connection = Connection()
        assert context is not None
        tls = await loop.start_tls(raw, connection, context, server_hostname=host)
    except OSError as error:
        raw.close()
        raise _failed(f"{where}: TLS through the proxy failed: {type(error).__name__}") from None
    except BaseException:
        raw.close()
        raise
    if tls is None:
        raw.close()
        raise _failed(f"{where}: the tunnel closed during the TLS handshake")
    connection.attach(tls)
    return connection


def _status(head: bytes) -> int:
    """The status code of an HTTP/1.x reply head; 0 if it is not one."""
    parts = head.split(b"\r\n", 1)[0].split(b" ", 2)
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/1.") and parts[1].isdigit():
        return int(parts[1])
    return 0
