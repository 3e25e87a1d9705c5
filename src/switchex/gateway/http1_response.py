"""The response being read from an upstream connection.

The connection (`http1_connect.Connection`) hands bytes to the `Response` in flight, which
parses them with httptools, buffers the body (pausing the socket past `HIGH_WATER`),
enforces the call's deadlines with a single timer and its size caps: an SSE answer
(`text/event-stream`) may not hold a line longer than `max_line` bytes, any other answer may
not be longer than `max_body` bytes. Past a cap the socket is dropped and the reader gets
UpstreamBroken saying so (the line cap is checked per received chunk, so it trips at most
one socket read late).
"""

from __future__ import annotations

import asyncio
from collections.abc import ItemsView, Iterator, Mapping
from typing import TYPE_CHECKING

import httptools

if TYPE_CHECKING:
    from switchex.gateway.http1_connect import Connection

HIGH_WATER = 1024 * 1024  # buffered, unconsumed body bytes before the socket is paused


class UpstreamBroken(Exception):
    """The upstream connection broke after the answer began: lost, or unparseable."""


class Headers(Mapping[str, str]):
    """Response headers, looked up case-insensitively; a repeated name keeps its last value.

    Iteration yields lower-case names.
    """

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, str]) -> None:
        self._items = items  # lower-case names

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> ItemsView[str, str]:
        return self._items.items()

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class Response:
    """The upstream's answer: status and headers once `__aenter__` returns, then the body."""

    __slots__ = (
        "_buffered",
        "_chunks",
        "_deadline",
        "_done",
        "_error",
        "_fields",
        "_framed",
        "_keep_alive",
        "_line",
        "_loop",
        "_max_body",
        "_max_line",
        "_parser",
        "_paused",
        "_received",
        "_timer",
        "_total",
        "_waiter",
        "connection",
        "headers",
        "headers_done",
        "started",
        "status",
        "where",
    )

    def __init__(
        self,
        connection: Connection,
        loop: asyncio.AbstractEventLoop,
        where: str,
        max_line: int = 0,
        max_body: int = 0,
    ) -> None:
        self.status = 0
        self.headers = Headers({})
        self.connection = connection
        self.where = where  # host:port (and the caller's label) for messages; never a query
        self._loop = loop
        self._parser = httptools.HttpResponseParser(self)
        self._fields: dict[str, str] = {}
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._paused = False
        self.started = False  # a byte of the answer arrived
        self.headers_done = False
        self._done = False
        self._framed = False  # the body has a length or chunks (else it ends at close)
        self._keep_alive = False
        self._error: Exception | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._deadline = 0.0
        self._total = 0.0
        self._max_line, self._max_body = max_line, max_body  # 0: no cap
        self._line = 0  # bytes since the last line break (SSE answers)
        self._received = 0  # body bytes so far (other answers)

    # -- reading, for the caller ------------------------------------------------------------
    async def readany(self) -> bytes:
        """The body bytes that arrived since the last call (waiting for some); b"" at the end.

        Raises UpstreamBroken if the connection broke off mid-body, TimeoutError past the
        call's total timeout. Cancelling it loses nothing.
        """
        while True:
            if self._chunks:
                return self._take()
            if self._error is not None:
                raise self._error
            if self._done:
                return b""
            await self._wait()

    async def read(self) -> bytes:
        """The whole body."""
        parts = []
        while chunk := await self.readany():
            parts.append(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def wait_headers(self) -> None:
        while not self.headers_done:
            if self._error is not None:
                raise self._error
            await self._wait()

    def _take(self) -> bytes:
        chunks = self._chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._buffered = 0
        if self._paused:
            self._paused = False
            self._resume()
        return data

    async def _wait(self) -> None:
        self._waiter = waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _resume(self) -> None:
        transport = self.connection.transport
        if transport is not None and not transport.is_closing():
            transport.resume_reading()

    # -- deadlines ----------------------------------------------------------------------------
    def arm(self, first_byte_at: float, deadline: float, total: float) -> None:
        """Headers must arrive by `first_byte_at`, the whole body by `deadline`."""
        self._deadline, self._total = deadline, total
        self._timer = self._loop.call_at(min(first_byte_at, deadline), self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self._done:
            return
        if not self.headers_done:
            self._fail(TimeoutError(f"{self.where} sent no response headers in time"))
        elif self._loop.time() < self._deadline:
            self._timer = self._loop.call_at(self._deadline, self._expire)
        else:
            self._fail(TimeoutError(f"{self.where} did not finish within {self._total:g} s"))

    def release(self) -> bool:
        """Detach from the connection; True if it can serve another request."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.connection.response = None
        reusable = self._done and self._keep_alive and self._error is None
        if reusable and self._paused:
            self._paused = False
            self._resume()
        return reusable and self.connection.usable()

    # -- the wire, from Connection ----------------------------------------------------------
    def feed(self, data: bytes) -> None:
        self.started = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamBroken(f"{self.where} switched protocols"))
        except httptools.HttpParserError as error:
            self._fail(UpstreamBroken(f"{self.where} sent a malformed response: {error}"))

    def feed_eof(self) -> None:
        if self._done or self._error is not None:
            return
        if self.headers_done and not self._framed:  # a body delimited by the close
            self._done = True
            self._keep_alive = False
            self._wake()
        else:
            self._fail(UpstreamBroken(f"{self.where} closed the connection mid-answer"))

    def lost(self, exc: Exception | None) -> None:
        if exc is None:
            self.feed_eof()
        elif not self._done and self._error is None:
            name = type(exc).__name__
            self._fail(UpstreamBroken(f"{self.where} connection lost mid-answer: {name}"))

    def _fail(self, error: Exception) -> None:
        self._keep_alive = False
        if not self._done and self._error is None:
            self._error = error
            self._wake()
        self.connection.abort()

    # -- httptools callbacks ----------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self._done:  # bytes beyond the answer: the connection is not clean
            self._keep_alive = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if status < 200:  # interim (1xx): the real answer follows
            self._fields = {}
            return
        fields = self._fields
        self.status = status
        self.headers = Headers(fields)
        self._framed = (
            "content-length" in fields or "chunked" in fields.get("transfer-encoding", "").lower()
        )
        self.headers_done = True
        if fields.get("content-type", "").lower().startswith("text/event-stream"):
            self._max_body = 0
        else:
            self._max_line = 0
        self._wake()

    def on_body(self, body: bytes) -> None:
        if self._max_body or self._max_line:
            self._check_size(body)
            if self._error is not None:
                return
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > HIGH_WATER and not self._paused and self.connection.transport:
            self._paused = True
            self.connection.transport.pause_reading()
        self._wake()

    def _check_size(self, body: bytes) -> None:
        if self._max_line:
            end = max(body.rfind(b"\n"), body.rfind(b"\r"))
            self._line = self._line + len(body) if end < 0 else len(body) - end - 1
            if self._line > self._max_line:
                message = f"{self.where} sent an SSE line longer than {self._max_line} bytes"
                self._fail(UpstreamBroken(message))
        elif self._max_body:
            self._received += len(body)
            if self._received > self._max_body:
                message = f"{self.where} sent an answer longer than {self._max_body} bytes"
                self._fail(UpstreamBroken(message))

    def on_message_complete(self) -> None:
        if not self.headers_done or self._done:
            return
        self._done = True
        self._keep_alive = self._parser.should_keep_alive()
        self._wake()
