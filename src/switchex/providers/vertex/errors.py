"""Vertex AI's failures in the error hierarchy.

Vertex answers either in Google's shape (`{"error": {"code": 429, "status":
"RESOURCE_EXHAUSTED", "message": …}}`, e.g. quota) or, from the model itself, in Anthropic's.
Every answer to the client is Anthropic-shaped. The credentials are always the tier's own,
so 401/403 take the tier out of the chain (reason auth_failed) instead of reaching Claude
Code, which would ask its user to log in again.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from switchex.errors import SwitchableError, UpstreamError, UpstreamRejected, error_type_for_status
from switchex.providers.common import retry_after_until

_REASONS = {429: "rate_limit", 529: "overloaded", 401: "auth_failed", 403: "auth_failed"}
_SWITCH = frozenset({401, 403, 408, 429, 529})


def _parse(body: bytes) -> tuple[str, str]:
    """(Anthropic error type or "", message) from either shape."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "", body[:200].decode("utf-8", "replace")
    if isinstance(data, list) and data:  # Google sometimes wraps the error in a list
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return "", ""
    if data.get("type") == "error":
        return str(error.get("type", "")), str(error.get("message", ""))
    status = str(error.get("status", ""))
    return "", f"Vertex AI {status}: {error.get('message', '')}".strip(": ")


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes, now: float
) -> UpstreamError:
    error_type, message = _parse(body)
    error_type = error_type or error_type_for_status(status)
    message = message or f"Vertex AI answered HTTP {status}"
    if status in _SWITCH or status >= 500:
        until = retry_after_until(headers, now)
        reason = _REASONS.get(status, "server_error")
        return SwitchableError(status, message, error_type, {}, b"", reason, until)
    return UpstreamRejected(status, message, error_type)
