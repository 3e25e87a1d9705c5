"""uvicorn's httptools protocol with inbound limits, and a response head that leaves with its body.

Limits (config `limits.*`), each breach answered Anthropic-shaped and reported to a
`RefusalSink` (the app journals it): the request head (bytes and header count) while it is
read, a deadline for the whole head (slow-loris), the request body (Content-Length up front,
counted as it arrives otherwise), an idle gap and a deadline while a body is read. Malformed
HTTP is answered with an Anthropic-shaped 400, not uvicorn's plain text.

uvicorn writes the status line and headers to the socket as soon as the app sends
`http.response.start`, and the body with the next `send`: two system calls where one would
do. The transport below holds the head back and writes it together with the next write. It
never delays bytes: if nothing follows in the same loop turn (a stream still waiting for its
first chunk), the head is written at the end of that turn.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, Protocol

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from switchex.config import LimitsConfig
from switchex.errors import RequestError

LINGER_IDLE = 0.5
LINGER_MAX = 5.0


class RefusalSink(Protocol):
    def refused(self, method: str, path: str, error: RequestError) -> None: ...


class CoalescingTransport:
    """A transport wrapper that joins a response head with the write that follows it."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        data = bytes(data)
        if self._head is not None:
            data, self._head = self._head + data, None
        elif data.startswith(b"HTTP/1.1 ") and data.endswith(b"\r\n\r\n"):
            self._head = data
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def writelines(self, lines: Any) -> None:
        self.write(b"".join(lines))

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            if not self._transport.is_closing():
                self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class Breach(Exception):
    """A limit was passed while parsing; raised from a parser callback to stop it."""

    def __init__(self, error: RequestError) -> None:
        super().__init__(error.message)
        self.error = error


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size} bytes"


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through a CoalescingTransport, within `limits`.

    One watchdog timer per connection enforces every deadline: the hot path only notes times
    (creating and cancelling timers per request would cost more than all the checks).
    """

    limits: ClassVar[LimitsConfig] = LimitsConfig()
    sink: ClassVar[RefusalSink | None] = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = CoalescingTransport(transport, self.loop)  # type: ignore[assignment]
        self._awaiting_head, self._in_body, self._lingering = True, False, False
        self._raw_head = self._body_size = 0
        self._breach: RequestError | None = None
        now = self.loop.time()
        self._head_deadline, self._last_body, self._body_deadline = (
            now + self.limits.header_timeout,
            now,
            now,
        )
        self.url = b""
        self._watchdog: asyncio.TimerHandle | None = None
        self._watch_in(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._last_body = self.loop.time()
            return
        if self._awaiting_head:
            if not self._raw_head:
                self._head_deadline = self.loop.time() + self.limits.header_timeout
            self._raw_head += len(data)
        super().data_received(data)
        if self._awaiting_head and self._raw_head > self.limits.head_bytes:
            self._refuse(self._head_too_large())

    def on_headers_complete(self) -> None:
        self._awaiting_head, self._in_body = False, True
        self._raw_head = self._body_size = 0
        self.scope["method"] = self.parser.get_method().decode("ascii")  # for a refusal's row
        self._check_head()
        super().on_headers_complete()
        self._last_body = self.loop.time()
        self._body_deadline = self._last_body + self.limits.body_timeout

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self.limits.request_body_bytes:
            self._stop(self._too_large())
        self._last_body = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._awaiting_head, self._in_body = True, False
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """Every parser failure: the breach that caused it, else a malformed request (400)."""
        error = self._breach or RequestError(f"malformed HTTP request: {msg}")
        self._refuse(error)

    def _check_head(self) -> None:
        """Header count, head size and a declared body length, once the head is parsed.

        While the head is read, `data_received` bounds it by raw bytes (memory stays bounded);
        here the exact figures decide.
        """
        headers = self.headers
        if len(headers) > self.limits.headers:
            self._stop(RequestError(f"more than {self.limits.headers} request headers", 431))
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in headers)
        if size > self.limits.head_bytes:
            self._stop(self._head_too_large())
        limit = self.limits.request_body_bytes
        for name, value in headers:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                self._stop(self._too_large())

    def _stop(self, error: RequestError) -> None:
        """Stop the parser from a callback; `send_400_response` then answers `error`."""
        self._breach = error
        raise Breach(error)

    def _head_too_large(self) -> RequestError:
        return RequestError(f"request head is larger than {_mb(self.limits.head_bytes)}", 431)

    def _too_large(self) -> RequestError:
        limit = _mb(self.limits.request_body_bytes)
        return RequestError(f"request body is larger than the {limit} limit", 413)

    def _watch_in(self, seconds: float) -> None:
        self._watchdog = self.loop.call_later(max(seconds, 0.01), self._watch)

    def _watch(self) -> None:
        """The one timer: cut a slow head, a stalled or endless body, an unused connection."""
        self._watchdog = None
        now, limits = self.loop.time(), self.limits
        if self._lingering:
            if now - self._last_body >= LINGER_IDLE or now >= self._body_deadline:
                self.transport.close()
                return
            self._watch_in(LINGER_IDLE)
        elif self._awaiting_head and (self._raw_head or self.cycle is None):
            if now < self._head_deadline:
                self._watch_in(self._head_deadline - now)
            elif self._raw_head:
                seconds = limits.header_timeout
                self._refuse(RequestError(f"request head not received within {seconds:g} s", 408))
            else:  # never used: close without a word
                self.transport.close()
        elif self._in_body and now - self._last_body >= limits.body_idle_timeout:
            idle = limits.body_idle_timeout
            self._refuse(RequestError(f"request body stalled for {idle:g} s", 408))
        elif self._in_body and now >= self._body_deadline:
            whole = limits.body_timeout
            self._refuse(RequestError(f"request body not received within {whole:g} s", 408))
        elif self._in_body:
            self._watch_in(
                min(self._last_body + limits.body_idle_timeout, self._body_deadline) - now
            )
        else:  # answering, or idle between requests (uvicorn's keep-alive timeout closes it)
            self._watch_in(min(limits.header_timeout, limits.body_idle_timeout))

    def _refuse(self, error: RequestError) -> None:
        """Answer (if no response started), close, and report the breach."""
        if self.transport.is_closing() or self._lingering:
            return
        cycle = self.cycle
        current = cycle is not None and cycle.scope is self.scope
        if cycle is None or (not cycle.response_started if current else cycle.response_complete):
            body = error.body()
            head = STATUS_LINE[error.status] + (
                b"content-type: application/json\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n" % len(body)
            )
            self.transport.write(head + body)
        if error.status in (413, 431):
            self._linger()
        else:
            self.transport.close()
        if self.sink is not None:
            known: Any = self.scope  # None before the first request
            scope = known or {}
            path = scope.get("path") or self.url.decode("latin-1", "replace")
            self.sink.refused(scope.get("method", ""), path, error)

    def _linger(self) -> None:
        """Read and drop what the client still sends, so that it gets to read the answer.

        Closing at once would reset a client still sending its body before it reads the 413.
        The connection closes after `LINGER_IDLE` s of silence, or `LINGER_MAX` s in all.
        """
        self._lingering = True
        self.flow.resume_reading()  # uvicorn pauses reading while a body waits for the app
        if self.cycle is not None and self.cycle.scope is self.scope:
            self.cycle.disconnected = True  # the app, if it runs, sees the client as gone
            self.cycle.message_event.set()
        self._last_body = self.loop.time()
        self._body_deadline = self._last_body + LINGER_MAX
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._watch_in(LINGER_IDLE)


def protocol_for(
    limits: LimitsConfig, sink: RefusalSink | None
) -> type[CoalescingHttpToolsProtocol]:
    """The protocol class uvicorn should run for these limits, reporting breaches to `sink`."""
    attributes = {"limits": limits, "sink": sink}
    return type("GatewayHttpProtocol", (CoalescingHttpToolsProtocol,), attributes)
