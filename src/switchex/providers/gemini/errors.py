"""Gemini's errors mapped into the switchex hierarchy, in one place.

Google error bodies are `{"error": {"code", "message", "status", "details": [...]}}`, or a
one-element list of that (streaming without alt=sse). A 429 carries how long to wait in a
`google.rpc.RetryInfo` detail (`"retryDelay": "37s"`), which beats `retry-after`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import orjson

from switchex.errors import (
    FailureKind,
    SwitchableError,
    UpstreamError,
    UpstreamRejected,
    error_type_for_status,
    kind_for_status,
)
from switchex.providers.common import finite_float, retry_after_until

Json = dict[str, Any]

_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)s\s*$")
# server-side kinds → the Anthropic error type the client gets
_SWITCHABLE = {
    FailureKind.RATE_LIMITED: "rate_limit_error",
    FailureKind.OVERLOADED: "overloaded_error",
    FailureKind.TIMEOUT: "timeout_error",
    FailureKind.SERVER_ERROR: "api_error",
}


def google_error(body: bytes | str | object) -> Json:
    """The `error` object of a Google error body (already parsed or not); {} if there is none."""
    data = body
    if isinstance(body, bytes | str):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return {}
    if isinstance(data, list) and data:
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes, now: float
) -> UpstreamError:
    """A non-2xx Gemini answer, classified by status (`errors.kind_for_status`) like every
    kind; a 400 about the token limit is context_too_long."""
    error = google_error(body)
    message = _message(error, status)
    lowered = {k.lower(): v for k, v in headers.items()}
    kind = kind_for_status(status)
    if kind in _SWITCHABLE:
        until = retry_delay_until(error.get("details"), now) or retry_after_until(lowered, now)
        error_type = _SWITCHABLE[kind]
        return SwitchableError(status, message, error_type, reason=kind, cooldown_until=until)
    if status == 400 and "token count" in message and "exceeds" in message:
        kind = FailureKind.CONTEXT_TOO_LONG
    return UpstreamRejected(status, message, error_type_for_status(status), reason=kind)


def retry_delay_until(details: object, now: float) -> float | None:
    """The absolute time a RetryInfo detail's `retryDelay` ("37s", "1.5s") points at."""
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and detail.get("@type") == _RETRY_INFO:
            delay = detail.get("retryDelay")
            match = _DURATION.match(delay) if isinstance(delay, str) else None
            seconds = finite_float(match.group(1)) if match else None
            if seconds is not None and math.isfinite(now + seconds):
                return now + seconds
    return None


def stream_error_event(error: Json) -> Json:
    """An Anthropic `error` stream event for an error object Gemini sent mid-stream."""
    code = error.get("code")
    status = code if isinstance(code, int) and not isinstance(code, bool) else 500
    return {
        "type": "error",
        "error": {"type": error_type_for_status(status), "message": _message(error, status)},
    }


def bad_response(detail: str) -> SwitchableError:
    """The tier answered 200 with something that is not a Gemini answer."""
    return SwitchableError(
        502,
        f"Gemini sent an answer switchex cannot read: {detail}",
        "api_error",
        reason="bad_response",
    )


def _message(error: Json, status: int) -> str:
    text = error.get("message")
    name = error.get("status")
    if isinstance(text, str) and text.strip():
        prefix = f"Gemini {name}" if isinstance(name, str) and name else "Gemini"
        return f"{prefix}: {text.strip()}"
    return f"Gemini answered HTTP {status}."
