"""Server-sent events: an incremental parser and the Anthropic event encoder."""

from __future__ import annotations

from typing import Any

import orjson


class SSEParser:
    """Splits a byte stream into (event, data) pairs, whatever the chunking.

    Follows the SSE rules that matter here: lines end in LF or CRLF, `:` lines are comments,
    a blank line ends an event, several `data:` lines join with LF. `event` is "" when the
    event named none.

    Linear in the stream's size however it is chunked: an unfinished line is kept as a list
    of pieces and joined once, when its LF arrives (a 100 MB line costs one copy, not one
    per chunk). How long a line may get is the transport's cap (`limits.sse_line_bytes`).
    """

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # the unfinished line, in pieces
        self._event = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        end = chunk.rfind(b"\n")
        if end < 0:
            if chunk:
                self._pending.append(chunk)
            return []
        complete = chunk[:end]
        if self._pending:
            complete = b"".join([*self._pending, complete])
            self._pending.clear()
        if end + 1 < len(chunk):
            self._pending.append(chunk[end + 1 :])
        # An LF byte never sits inside a multi-byte UTF-8 character: whole lines decode safely.
        events: list[tuple[str, str]] = []
        for line in complete.decode("utf-8", "replace").split("\n"):
            self._line(line.rstrip("\r"), events)
        return events

    def finish(self) -> list[tuple[str, str]]:
        """Whatever a stream that ended without a final blank line still held."""
        events: list[tuple[str, str]] = []
        if self._pending:
            rest = b"".join(self._pending)
            self._pending.clear()
            self._line(rest.rstrip(b"\r").decode("utf-8", "replace"), events)
        self._line("", events)
        return events

    def _line(self, line: str, events: list[tuple[str, str]]) -> None:
        if not line:
            if self._data or self._event:
                events.append((self._event, "\n".join(self._data)))
            self._event, self._data = "", []
            return
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value


def encode_event(event: dict[str, Any]) -> bytes:
    """One Anthropic stream event as SSE bytes (`event: <type>` + `data: <json>`)."""
    kind: str = event["type"]
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"


PING = encode_event({"type": "ping"})
