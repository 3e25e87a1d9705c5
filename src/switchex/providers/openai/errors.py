"""OpenAI-compatible error answers → the switchex error hierarchy (the one place for it).

The failure kind comes from the status as for every kind (`errors.kind_for_status`: 429
rate_limit, 402 billing, 401/403 auth_failed, 503/529 overloaded, 408/504 timeout, other 5xx
server_error), except a context-length refusal, which is context_too_long (with Anthropic's
"prompt is too long" wording). 422 is answered as 400. Server-side kinds carry the cooldown
the headers give; the gateway's policy decides what happens.

Bodies read: OpenAI `{"error": {message, type, code, param}}`, OpenRouter (`error.metadata.raw`),
Ollama `{"error": "text"}`, vLLM `{"message": …}`, FastAPI `{"detail": …}`.
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

_MAX_MESSAGE = 2000
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_CONTEXT_MAX = re.compile(r"maximum context length is (\d+)")
_CONTEXT_USED = re.compile(r"(?:resulted in|requested|you have) (\d+) tokens")


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes, now: float
) -> UpstreamError:
    """The error for a non-2xx answer of an OpenAI-compatible upstream."""
    lower = {key.lower(): value for key, value in headers.items()}
    message, code = upstream_message(body)
    message = message or f"upstream answered HTTP {status}"
    kind = kind_for_status(status)
    if kind in _SERVER_SIDE:
        return _switchable(status, message, _SERVER_SIDE[kind], kind, lower, now)
    if status == 402:
        return UpstreamError(402, message, "billing_error", reason=FailureKind.BILLING)
    return rejected(400 if status == 422 else status, message, code)


_SERVER_SIDE = {
    FailureKind.RATE_LIMITED: "rate_limit_error",
    FailureKind.OVERLOADED: "overloaded_error",
    FailureKind.TIMEOUT: "timeout_error",
    FailureKind.SERVER_ERROR: "api_error",
}


def bad_response(message: str) -> SwitchableError:
    """The tier answered 200 with something that is not a chat completion."""
    return SwitchableError(
        status=502, message=message, error_type="api_error", reason="bad_response"
    )


def rejected(status: int, message: str, code: str = "") -> UpstreamRejected:
    kind = kind_for_status(status)
    if code == "context_length_exceeded" or _CONTEXT_MAX.search(message):
        message = _prompt_too_long(message)
        kind = FailureKind.CONTEXT_TOO_LONG
    error_type = error_type_for_status(status)
    return UpstreamRejected(status=status, message=message, error_type=error_type, reason=kind)


def stream_error_event(error: object) -> Json:
    """An Anthropic `error` event for an error object met inside a stream (OpenRouter)."""
    message, code = _fields(error if isinstance(error, dict) else {"message": error})
    status = int(code) if code.isdigit() else 500
    error_type = error_type_for_status(status) if status >= 400 else "api_error"
    return {
        "type": "error",
        "error": {"type": error_type, "message": message or "upstream error mid-stream"},
    }


def upstream_message(body: bytes) -> tuple[str, str]:
    """(message, code) from an error body; the raw text when it is not JSON."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace").strip()[:_MAX_MESSAGE], ""
    if not isinstance(data, dict):
        return str(data)[:_MAX_MESSAGE], ""
    error = data.get("error", data)
    if isinstance(error, dict):
        return _fields(error)
    return str(error)[:_MAX_MESSAGE], ""


def _fields(error: Json) -> tuple[str, str]:
    message = error.get("message") or error.get("detail") or ""
    message = message if isinstance(message, str) else orjson.dumps(message).decode()
    metadata = error.get("metadata")
    raw = metadata.get("raw") if isinstance(metadata, dict) else None
    if raw:
        raw_text = raw if isinstance(raw, str) else orjson.dumps(raw).decode()
        message = f"{message} ({raw_text})" if message else raw_text
    code = error.get("code")
    return message[:_MAX_MESSAGE], "" if code is None else str(code)


def _prompt_too_long(message: str) -> str:
    """Anthropic's wording, which Claude Code reads to compact the conversation."""
    limit, used = _CONTEXT_MAX.search(message), _CONTEXT_USED.search(message)
    if limit and used:
        return f"prompt is too long: {used[1]} tokens > {limit[1]} maximum ({message})"
    return f"prompt is too long: {message}"


def _switchable(
    status: int, message: str, error_type: str, reason: str, headers: dict[str, str], now: float
) -> SwitchableError:
    until = cooldown_until(headers, now)
    relayed = {"retry-after": headers["retry-after"]} if "retry-after" in headers else {}
    return SwitchableError(
        status=status,
        message=message,
        error_type=error_type,
        headers=relayed,
        reason=reason,
        cooldown_until=until,
    )


def cooldown_until(headers: dict[str, str], now: float) -> float | None:
    """When the upstream says it resets: retry-after(-ms), else the x-ratelimit-reset headers."""
    until = retry_after_until(headers, now)
    if until is not None:
        return until
    millis = finite_float(headers.get("retry-after-ms"))
    if millis is not None:
        return now + max(0.0, millis) / 1000
    return _ratelimit_reset(headers, now)


def _ratelimit_reset(headers: dict[str, str], now: float) -> float | None:
    """OpenAI's per-kind resets (durations; the exhausted kind wins) or OpenRouter's epoch."""
    resets: dict[str, float] = {}
    for kind in ("requests", "tokens"):
        seconds = parse_duration(headers.get(f"x-ratelimit-reset-{kind}", ""))
        if seconds is not None:
            resets[kind] = now + seconds
    exhausted = [t for k, t in resets.items() if headers.get(f"x-ratelimit-remaining-{k}") == "0"]
    if exhausted or resets:
        return max(exhausted or resets.values())
    return _epoch_or_seconds(headers.get("x-ratelimit-reset", ""), now)


def _epoch_or_seconds(value: str, now: float) -> float | None:
    number = _float(value)
    if number is None:
        seconds = parse_duration(value)
        return None if seconds is None else now + seconds
    if number > 1e15:  # beyond any epoch: nonsense, let the policy back off
        return None
    if number > 1e12:  # epoch milliseconds (OpenRouter)
        return number / 1000
    if number > 1e9:
        return number
    return now + max(0.0, number)


def parse_duration(text: str) -> float | None:
    """Seconds in a Go-style duration ("1s", "6m0s", "20ms", "1h2m3.5s") or a bare number."""
    text = text.strip()
    number = _float(text)
    if number is not None:
        return max(0.0, number)
    if not text or _DURATION.sub("", text):
        return None
    total = sum(float(amount) * _UNIT_SECONDS[unit] for amount, unit in _DURATION.findall(text))
    return total if math.isfinite(total) else None


def _float(value: str | None) -> float | None:
    return finite_float(value) if value else None
