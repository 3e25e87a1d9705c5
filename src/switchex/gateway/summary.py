"""What one answer amounted to: served model, stop reason, usage, the tool calls it asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from switchex.sse import SSEParser

_WATCHED = frozenset({"message_start", "message_delta", "content_block_start", "error"})
_WATCHED_PREFIXES = tuple(f"event: {name}\n".encode() for name in sorted(_WATCHED))


@dataclass
class ResponseSummary:
    model: str = ""
    stop_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read: int = 0
    cache_creation: int = 0
    tool_use: bool = False
    error_type: str | None = None
    tool_ids: list[str] = field(default_factory=list)  # ids of its tool_use blocks, in order

    def _usage(self, usage: Any) -> None:
        if not isinstance(usage, dict):
            return
        self.input_tokens = usage.get("input_tokens") or self.input_tokens
        self.output_tokens = usage.get("output_tokens") or self.output_tokens
        self.cache_read = usage.get("cache_read_input_tokens") or self.cache_read
        self.cache_creation = usage.get("cache_creation_input_tokens") or self.cache_creation

    def observe(self, event: dict[str, Any]) -> None:
        """Take in one Anthropic stream event."""
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            self.model = str(message.get("model") or self.model)
            self._usage(message.get("usage"))
        elif kind == "content_block_start":
            self._block(event.get("content_block"))
        elif kind == "message_delta":
            self.stop_reason = (event.get("delta") or {}).get("stop_reason") or self.stop_reason
            self._usage(event.get("usage"))
        elif kind == "error":
            self.error_type = str((event.get("error") or {}).get("type") or "api_error")

    def observe_message(self, message: dict[str, Any]) -> None:
        """Take in a complete (non-streaming) Anthropic message."""
        self.model = str(message.get("model") or self.model)
        self.stop_reason = message.get("stop_reason")
        self._usage(message.get("usage"))
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            self._block(block)

    def _block(self, block: Any) -> None:
        if isinstance(block, dict) and block.get("type") == "tool_use":
            self.tool_use = True
            if isinstance(block.get("id"), str):
                self.tool_ids.append(block["id"])


class StreamObserver:
    """Reads a relayed Anthropic SSE stream for its summary.

    The relay's hot loop: events are split on bytes and only the few that carry the summary
    (message_start, content_block_start, message_delta, error) are decoded; the many deltas
    are passed over with one prefix check each. Streams with CRLF line ends fall back to the
    full SSE parser.
    """

    def __init__(self, summary: ResponseSummary) -> None:
        self.summary = summary
        self._pending: list[bytes] = []  # the unfinished event, in pieces (linear buffering)
        self._parser: SSEParser | None = None

    def feed(self, chunk: bytes) -> None:
        if self._parser is not None or b"\r" in chunk:
            self._slow(chunk)
            return
        pending = self._pending
        if b"\n\n" not in chunk and not (
            pending and pending[-1].endswith(b"\n") and chunk.startswith(b"\n")
        ):
            pending.append(chunk)
            return
        events = b"".join([*pending, chunk]).split(b"\n\n") if pending else chunk.split(b"\n\n")
        rest = events.pop()
        pending[:] = [rest] if rest else []
        for event in events:
            if event.startswith(_WATCHED_PREFIXES):
                _, _, data = event.partition(b"\ndata: ")
                self._take(data)

    def _slow(self, chunk: bytes) -> None:
        if self._parser is None:
            self._parser = SSEParser()
            chunk = b"".join([*self._pending, chunk])
            self._pending.clear()
        for name, data in self._parser.feed(chunk):
            if name in _WATCHED:
                self._take(data)

    def _take(self, data: str | bytes) -> None:
        try:
            event = orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        if isinstance(event, dict):
            self.summary.observe(event)
