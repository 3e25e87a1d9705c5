"""The head of a pass-through stream: held until it shows content, judged as a whole.

Anthropic under load answers 200 and then an `error` event (`overloaded_error`); a proxy in
the way may answer 200 with an HTML page or a JSON body; an upstream may break off after
`message_start`. None of that is an answer, and none of it has reached the client yet, so it
is a failure of the tier (the policy table decides what follows). `StreamHead` is fed the
stream's bytes until the first content-bearing event (`content_block_start`, or a
`message_stop` that ends a content-less answer); from then on the relay passes bytes through
unread. Pure: no I/O, no clock.
"""

from __future__ import annotations

from typing import Any

import orjson

from switchex.errors import FailureKind, SwitchableError
from switchex.sse import SSEParser

_FIELDS = (b"event:", b"data:", b":", b"id:", b"retry:")
_CONTENT = frozenset({"content_block_start", "message_stop"})
MAX_HELD = 1024 * 1024  # past this much without content, the head is committed as it is

_STREAM_KINDS = {
    "rate_limit_error": (429, FailureKind.RATE_LIMITED),
    "overloaded_error": (529, FailureKind.OVERLOADED),
    "timeout_error": (504, FailureKind.TIMEOUT),
}


def stream_error(event: dict[str, Any]) -> SwitchableError:
    """An `error` event seen before any content: a failure of the tier, of the kind it names
    (overloaded, rate limited, timeout; anything else is a server error)."""
    error = event.get("error")
    error = error if isinstance(error, dict) else {}
    error_type = str(error.get("type") or "api_error")
    status, kind = _STREAM_KINDS.get(error_type, (502, FailureKind.SERVER_ERROR))
    message = str(error.get("message") or "upstream error")
    return SwitchableError(status, message, error_type, reason=kind)


def _not_sse(head: bytes) -> SwitchableError:
    shown = head[:40].decode("utf-8", "replace").strip()
    what = "JSON" if head.startswith(b"{") else "HTML" if head.startswith(b"<") else "not SSE"
    return SwitchableError(
        502, f"the upstream answered a stream request with {what}: {shown!r}", reason="bad_response"
    )


def _looks_like_sse(head: bytes) -> bool | None:
    """True/False once `head` (stripped, non-empty) shows whether it is SSE; None: too short."""
    for field in _FIELDS:
        if head.startswith(field):
            return True
        if len(head) < len(field) and field.startswith(head):
            return None
    return False


class StreamHead:
    """Judges the head of one relayed Anthropic stream.

    `feed` returns True once the stream may be committed (content has begun), False while it
    must still be held; it raises SwitchableError when the head is a failure. `ended` is
    called when the upstream closes or breaks before `feed` said True: always a failure.
    """

    def __init__(self) -> None:
        self._parser = SSEParser()
        self._checked = False
        self._start = b""
        self.held = 0

    def feed(self, chunk: bytes) -> bool:
        self.held += len(chunk)
        if not self._checked:
            if not self._check(chunk):
                return False
            chunk = self._start
        for event, data in self._parser.feed(chunk):
            kind = event or _type_of(data)
            if kind == "error":
                raise stream_error(_json(data))
            if kind in _CONTENT:
                return True
        return self.held > MAX_HELD

    def _check(self, chunk: bytes) -> bool:
        """Whether the first bytes are SSE (False: too few to tell yet); raises if not."""
        self._start = (self._start + chunk).lstrip()
        verdict = _looks_like_sse(self._start[:8])
        if verdict is False:
            raise _not_sse(self._start)
        self._checked = verdict is True
        return self._checked

    def ended(self) -> SwitchableError:
        """The failure of a stream that ended (or broke) before any content."""
        if not self.held:
            return SwitchableError(502, "the upstream stream ended at once", reason="server_error")
        for event, data in self._parser.finish():
            if (event or _type_of(data)) == "error":
                return stream_error(_json(data))
        if not self._checked:
            return _not_sse(self._start)
        message = "the upstream stream broke off before any content"
        return SwitchableError(502, message, reason="server_error")


def _json(data: str) -> dict[str, Any]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _type_of(data: str) -> str:
    """The `type` of an event that named none in an `event:` line."""
    return str(_json(data).get("type") or "")
