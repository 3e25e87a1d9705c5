"""Server-sent events: an incremental parser and the Anthropic event encoder."""

from __future__ import annotations

from typing import Any

import orjson


class SSEParser:
    """Splits a byte stream into (event, data) pairs, whatever the chunking.

    Follows the SSE rules that matter here: lines end in LF or CRLF, `:` lines are comments,
    a blank line ends an event, several `data:` lines join with LF. `event` is "" when the
    event named none.
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._event = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        # One split per chunk, not one buffer copy per line: big chunks stay linear. An LF
        # byte never sits inside a multi-byte UTF-8 character, so whole lines decode safely.
        complete, newline, self._buffer = (self._buffer + chunk).rpartition(b"\n")
        events: list[tuple[str, str]] = []
        if newline:
            for line in complete.decode("utf-8", "replace").split("\n"):
                self._line(line.rstrip("\r"), events)
        return events

    def finish(self) -> list[tuple[str, str]]:
        """Whatever a stream that ended without a final blank line still held."""
        events: list[tuple[str, str]] = []
        if self._buffer:
            self._line(self._buffer.rstrip(b"\r").decode("utf-8", "replace"), events)
            self._buffer = b""
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
