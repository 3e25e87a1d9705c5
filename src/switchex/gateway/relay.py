"""Sending one tier's answer to the client: whole, relayed stream, or translated stream.

Everything before `_commit` may still raise SwitchableError (the router then tries the next
tier); after it, failures end the stream with an Anthropic `error` event instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

import orjson

from switchex.errors import SwitchableError
from switchex.gateway import asgi
from switchex.gateway.exchange import Exchange
from switchex.gateway.hold import StreamHead, stream_error
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

    async def _held(self) -> bytes:
        """The head of a relayed stream, held until content begins (see `gateway.hold`).

        Bounded by `first_byte_timeout`: silence until then is a timeout; a head that is
        alive but slow is committed as it is when the bound passes.
        """
        head = StreamHead()
        held: list[bytes] = []
        deadline = time.monotonic() + self.tier.first_byte_timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                chunk = await self._read(left)
            except (UpstreamBroken, TimeoutError):
                chunk = b""
            if chunk is None:
                break
            if not chunk:
                raise head.ended()
            held.append(chunk)
            if head.feed(chunk):
                return b"".join(held)
        if not held:
            raise SwitchableError(504, "the upstream stream stayed silent", reason="timeout")
        return b"".join(held)

    async def _relay_stream(self) -> None:
        observer = StreamObserver(self.exchange.summary)
        first = await self._held()
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
                raise stream_error(events[0])
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
