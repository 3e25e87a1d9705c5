"""Sending one tier's answer to the client: whole, relayed stream, or translated stream.

Everything before `_commit` may still raise SwitchableError (the router then tries the next
tier); after it, failures end the stream with an Anthropic `error` event instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import orjson

from switchex.errors import FailureKind, SwitchableError, error_type_for_status
from switchex.gateway import asgi
from switchex.gateway.exchange import Exchange
from switchex.gateway.http1 import UpstreamBroken
from switchex.gateway.summary import StreamObserver
from switchex.gateway.tier import Tier
from switchex.gateway.upstream import UpstreamResponse
from switchex.providers.base import NO_PLAN, Json, ReplyPlan, StreamTranslator
from switchex.sse import PING, encode_event

_NOT_RELAYED = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "upgrade",
        "te",
        "trailer",
        "proxy-authenticate",
        "date",
        "server",
    }
)
_SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
_COMMENT_PING = b": ping\n\n"
_MAX_ERROR_EVENT = 64 * 1024
_LOST = encode_event(
    {"type": "error", "error": {"type": "api_error", "message": "the upstream stream broke off"}}
)


def relay_headers(headers: Mapping[str, str], tier: str) -> dict[str, str]:
    """An upstream's response headers as the client gets them."""
    kept = {k.lower(): v for k, v in headers.items() if k.lower() not in _NOT_RELAYED}
    kept["x-switchex-tier"] = tier
    return kept


class Relay:
    """One tier's answer to one exchange; fills in the exchange's status and summary."""

    def __init__(
        self,
        tier: Tier,
        exchange: Exchange,
        model: str,
        response: UpstreamResponse,
        send: asgi.Send,
        ping_interval: float,
        reply: ReplyPlan = NO_PLAN,
    ) -> None:
        self.reply = reply
        self.provider = tier.dialect
        self.exchange = exchange
        self.model = model
        self.response = response
        self.send = send
        self.tier = tier.config
        self.passthrough = tier.dialect.passthrough
        self.ping_interval = ping_interval

    # -- whole answers ---------------------------------------------------------------------
    async def whole(self) -> None:
        try:
            body = await self.response.read()
        except (UpstreamBroken, TimeoutError):
            raise SwitchableError(
                502, "the upstream answer broke off", reason="server_error"
            ) from None
        message = self.provider.translate_response(body, self.model, self.reply)
        self.exchange.summary.observe_message(message)
        if self.passthrough:
            headers = relay_headers(self.response.headers, self.exchange.tier)
        else:
            body = orjson.dumps(message)
            headers = {"content-type": "application/json", "x-switchex-tier": self.exchange.tier}
        self.exchange.status = 200
        self.exchange.first_byte = time.perf_counter()
        await asgi.respond(self.send, 200, body, headers["content-type"], headers)

    # -- streams ---------------------------------------------------------------------------
    async def stream(self) -> None:
        if self.passthrough:
            await self._relay_stream()
        else:
            await self._translate_stream(self.provider.stream_translator(self.model, self.reply))

    async def _read(self, timeout: float) -> bytes | None:
        """The next chunk (b"" at the end), or None when `timeout` passed with nothing.

        A TimeoutError of the call itself (its total timeout) propagates.
        """
        try:
            async with asyncio.timeout(timeout) as scope:
                return await self.response.readany()
        except TimeoutError:
            if scope.expired():
                return None
            raise

    async def _first(self, timeout: float) -> bytes:
        """The first chunk of a stream; a silent or empty upstream is a switch-worthy failure."""
        try:
            chunk = await self._read(timeout)
        except UpstreamBroken:
            chunk = b""
        except TimeoutError:
            chunk = None
        if chunk is None:
            raise SwitchableError(504, "the upstream stream stayed silent", reason="timeout")
        if not chunk:
            raise SwitchableError(502, "the upstream stream ended at once", reason="server_error")
        return chunk

    async def _commit(self, headers: dict[str, str], first: bytes) -> None:
        self.exchange.status = 200
        self.exchange.first_byte = time.perf_counter()
        await asgi.start(self.send, 200, headers)
        if first:
            await self._write(first)

    async def _write(self, data: bytes) -> None:
        await self.send({"type": "http.response.body", "body": data, "more_body": True})

    async def _end(self, data: bytes = b"") -> None:
        await self.send({"type": "http.response.body", "body": data, "more_body": False})

    async def _first_relayed(self) -> bytes:
        """The first bytes of a relayed stream, unless they show a failure of the tier.

        A 200 whose body is JSON rather than SSE, or whose first event is `error` (Anthropic's
        `overloaded_error` under load), is switch-worthy: nothing has reached the client.
        """
        first = await self._first(self.tier.first_byte_timeout)
        head = first[:64].lstrip()
        if head.startswith(b"{"):
            message = "the upstream answered a stream request with JSON, not SSE"
            raise SwitchableError(502, message, reason="bad_response")
        if not head.startswith(b"event: error"):
            return first
        while b"\n\n" not in first and len(first) < _MAX_ERROR_EVENT:
            chunk = await self._read(self.tier.first_byte_timeout)
            if not chunk:
                break
            first += chunk
        translator = self.provider.stream_translator(self.model)
        events = translator.feed(first) + translator.finish()
        if events and events[0].get("type") == "error":
            raise _stream_error(events[0])
        return first

    async def _relay_stream(self) -> None:
        observer = StreamObserver(self.exchange.summary)
        first = await self._first_relayed()
        observer.feed(first)
        await self._commit(relay_headers(self.response.headers, self.exchange.tier), first)
        at_boundary = first.endswith(b"\n\n")
        interval = self.ping_interval
        while True:
            try:
                chunk = await self._read(interval)
            except (UpstreamBroken, TimeoutError):
                await self._end(b"\n\n" + _LOST if not at_boundary else _LOST)
                return
            if chunk is None:
                if at_boundary:
                    await self._write(PING)
                continue
            if not chunk:
                await self._end()
                return
            observer.feed(chunk)
            at_boundary = chunk.endswith(b"\n\n")
            await self._write(chunk)

    async def _translate_stream(self, translator: StreamTranslator) -> None:
        interval = self.ping_interval
        events = await self._first_events(translator, min(interval, self.tier.first_byte_timeout))
        await self._commit(dict(_SSE_HEADERS, **{"x-switchex-tier": self.exchange.tier}), b"")
        started = bool(events)
        if events:
            await self._write(self._encode(events))
        while True:
            try:
                chunk = await self._read(interval)
            except (UpstreamBroken, TimeoutError):
                await self._end(_LOST)
                return
            if chunk is None:
                await self._write(PING if started else _COMMENT_PING)
                continue
            events = translator.feed(chunk) if chunk else translator.finish()
            started = started or bool(events)
            if not chunk:
                await self._end(self._encode(events))
                return
            if events:
                await self._write(self._encode(events))

    async def _first_events(self, translator: StreamTranslator, wait: float) -> list[Json]:
        """Read until the translator has something to say (or `wait` passes: commit anyway).

        An upstream that fails before saying anything, or whose first word is an error, is a
        switch-worthy failure: nothing has reached the client yet.
        """
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            try:
                chunk = await self._read(left)
            except UpstreamBroken:
                chunk = b""
            except TimeoutError:
                raise SwitchableError(
                    504, "the upstream stream timed out", reason="timeout"
                ) from None
            if chunk is None:
                return []
            events = translator.feed(chunk) if chunk else translator.finish()
            if events and events[0].get("type") == "error":
                raise _stream_error(events[0])
            if events:
                return events
            if not chunk:
                raise SwitchableError(502, "the upstream stream ended empty", reason="server_error")
        return []

    def _encode(self, events: list[Json]) -> bytes:
        summary = self.exchange.summary
        for event in events:
            summary.observe(event)
        return b"".join(encode_event(event) for event in events)


_STREAM_KINDS = {
    "rate_limit_error": (429, FailureKind.RATE_LIMITED),
    "overloaded_error": (529, FailureKind.OVERLOADED),
    "timeout_error": (504, FailureKind.TIMEOUT),
}


def _stream_error(event: dict[str, Any]) -> SwitchableError:
    """A stream whose first word is an error: a failure of the tier, before any byte."""
    error = event.get("error")
    error = error if isinstance(error, dict) else {}
    error_type = str(error.get("type") or "api_error")
    status, kind = _STREAM_KINDS.get(error_type, (502, FailureKind.SERVER_ERROR))
    message = str(error.get("message") or "upstream error")
    error_type = error_type or error_type_for_status(status)
    return SwitchableError(status, message, error_type, reason=kind)
