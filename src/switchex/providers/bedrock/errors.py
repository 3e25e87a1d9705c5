"""Bedrock's failures in the error hierarchy.

Bedrock names the failure in `x-amzn-ErrorType` (`ThrottlingException:http://…`) and puts
`{"message": …}` in the body. The client always gets an Anthropic-shaped error. The
credentials are the tier's own, so 401/403 (`AccessDeniedException`, an expired token) take
the tier out of the chain instead of reaching Claude Code as the user's login failing.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from switchex.errors import SwitchableError, UpstreamError, UpstreamRejected, error_type_for_status
from switchex.providers.common import retry_after_until

# exception name → (Anthropic error type, failover reason or None when not switch-worthy)
_KNOWN: dict[str, tuple[str, str | None]] = {
    "ThrottlingException": ("rate_limit_error", "rate_limit"),
    "ServiceQuotaExceededException": ("rate_limit_error", "rate_limit"),
    "ServiceUnavailableException": ("overloaded_error", "overloaded"),
    "ModelNotReadyException": ("overloaded_error", "overloaded"),
    "ModelTimeoutException": ("timeout_error", "timeout"),
    "InternalServerException": ("api_error", "server_error"),
    "ModelErrorException": ("api_error", "server_error"),
    "AccessDeniedException": ("permission_error", "auth_failed"),
    "UnrecognizedClientException": ("authentication_error", "auth_failed"),
    "ExpiredTokenException": ("authentication_error", "auth_failed"),
    "InvalidSignatureException": ("authentication_error", "auth_failed"),
    "IncompleteSignatureException": ("authentication_error", "auth_failed"),
    "MissingAuthenticationTokenException": ("authentication_error", "auth_failed"),
    "ValidationException": ("invalid_request_error", None),
    "ResourceNotFoundException": ("not_found_error", None),
}


def exception_name(headers: Mapping[str, str], body: object) -> str:
    lowered = {k.lower(): v for k, v in headers.items()}
    name = lowered.get("x-amzn-errortype", "").split(":")[0]
    if not name and isinstance(body, dict):
        name = str(body.get("__type", "")).rpartition("#")[2]
    return name


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes, now: float
) -> UpstreamError:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    name = exception_name(headers, data)
    text = str(data.get("message") or data.get("Message") or "") if isinstance(data, dict) else ""
    message = f"Bedrock {name or f'HTTP {status}'}: {text or 'no message'}"
    error_type, reason = _KNOWN.get(name, (error_type_for_status(status), None))
    if reason is None and (status in (401, 403, 408, 429, 529) or status >= 500):
        reason = "auth_failed" if status in (401, 403) else "server_error"
        reason = "rate_limit" if status == 429 else reason
    if reason is not None:
        until = retry_after_until(headers, now)
        return SwitchableError(status, message, error_type, {}, b"", reason, until)
    return UpstreamRejected(status, message, error_type)
