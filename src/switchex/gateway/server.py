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
    """uvicorn's httptools protocol writing through a CoalescingTransport, within `limits`."""

    limits: ClassVar[LimitsConfig] = LimitsConfig()
    sink: ClassVar[RefusalSink | None] = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = CoalescingTransport(transport, self.loop)  # type: ignore[assignment]
        self._awaiting_head = True
        self._raw_head = self._head_size = self._header_count = self._body_size = 0
        self._breach: RequestError | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._last_body = self._body_deadline = 0.0
        self.url = b""
        self._lingering = False
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._last_body = self.loop.time()
            return
        if self._awaiting_head:
            self._raw_head += len(data)
            if self._head_timer is None:
                self._arm_head_timer()
        super().data_received(data)
        if self._awaiting_head and self._raw_head > self.limits.head_bytes:
            self._refuse(
                RequestError(f"request head is larger than {_mb(self.limits.head_bytes)}", 431)
            )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_size = self._header_count = self._body_size = 0

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._head_size += len(name) + len(value) + 4
        if self._header_count > self.limits.headers:
            self._stop(RequestError(f"more than {self.limits.headers} request headers", 431))
        if self._head_size > self.limits.head_bytes:
            limit = _mb(self.limits.head_bytes)
            self._stop(RequestError(f"request head is larger than {limit}", 431))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._raw_head = 0
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self.scope["method"] = self.parser.get_method().decode("ascii")  # for a refusal's row
        self._check_length()
        super().on_headers_complete()
        now = self.loop.time()
        self._last_body, self._body_deadline = now, now + self.limits.body_timeout
        self._body_timer = self.loop.call_later(self.limits.body_idle_timeout, self._body_check)

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self.limits.request_body_bytes:
            self._stop(self._too_large())
        self._last_body = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._awaiting_head = True
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """Every parser failure: the breach that caused it, else a malformed request (400)."""
        error = self._breach or RequestError(f"malformed HTTP request: {msg}")
        self._refuse(error)

    def _check_length(self) -> None:
        for name, value in self.headers:
            too_long = value.isdigit() and int(value) > self.limits.request_body_bytes
            if name == b"content-length" and too_long:
                self._stop(self._too_large())

    def _stop(self, error: RequestError) -> None:
        """Stop the parser from a callback; `send_400_response` then answers `error`."""
        self._breach = error
        raise Breach(error)

    def _too_large(self) -> RequestError:
        limit = _mb(self.limits.request_body_bytes)
        return RequestError(f"request body is larger than the {limit} limit", 413)

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timeout)

    def _head_timeout(self) -> None:
        self._head_timer = None
        if not self._raw_head:  # an idle connection: close it without a word
            self.transport.close()
            return
        seconds = self.limits.header_timeout
        self._refuse(RequestError(f"request head not received within {seconds:g} s", 408))

    def _body_check(self) -> None:
        self._body_timer = None
        now = self.loop.time()
        if now - self._last_body >= self.limits.body_idle_timeout:
            idle = self.limits.body_idle_timeout
            self._refuse(RequestError(f"request body stalled for {idle:g} s", 408))
        elif now >= self._body_deadline:
            whole = self.limits.body_timeout
            self._refuse(RequestError(f"request body not received within {whole:g} s", 408))
        else:
            wait = min(self._last_body + self.limits.body_idle_timeout, self._body_deadline) - now
            self._body_timer = self.loop.call_later(wait, self._body_check)

    def _refuse(self, error: RequestError) -> None:
        """Answer (if no response started), close, and report the breach."""
        if self.transport.is_closing() or self._lingering:
            return
        self._cancel_timers()
        cycle = self.cycle
        current = cycle is not None and cycle.scope is self.scope
        if cycle is None or (not cycle.response_started if current else cycle.response_complete):
            body = error.body()
            head = STATUS_LINE[error.status] + (
                b"content-type: application/json\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n" % len(body)
            )
            self.transport.write(head + body)
        if error.status in (413, 431) and not self._lingering:
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
        self._body_timer = self.loop.call_later(LINGER_IDLE, self._linger_check)

    def _linger_check(self) -> None:
        now = self.loop.time()
        if now - self._last_body >= LINGER_IDLE or now >= self._body_deadline:
            self._body_timer = None
            self.transport.close()
        else:
            self._body_timer = self.loop.call_later(LINGER_IDLE, self._linger_check)

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None


def protocol_for(
    limits: LimitsConfig, sink: RefusalSink | None
) -> type[CoalescingHttpToolsProtocol]:
    """The protocol class uvicorn should run for these limits, reporting breaches to `sink`."""
    attributes = {"limits": limits, "sink": sink}
    return type("GatewayHttpProtocol", (CoalescingHttpToolsProtocol,), attributes)
