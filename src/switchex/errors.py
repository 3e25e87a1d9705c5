"""The one error hierarchy of switchex.

    SwitchexError
    ├── ConfigError            bad configuration: names the key or file at fault
    ├── RequestError           the client's request is bad: answered with an Anthropic-shaped 4xx
    ├── TrackerError           git snapshotting failed (never leaves the tracker's worker)
    ├── ReviewError            a review command cannot do what was asked (CLI message)
    └── UpstreamError          a tier did not serve the request; `kind` says why
        ├── SwitchableError    a dialect's "the tier is limited or down" (server-side kinds)
        └── UpstreamRejected   a dialect's "the upstream refused the request" (client-side kinds)

Each dialect classifies its wire errors into a `FailureKind` in one place; whether the gateway
fails over and how long the tier cools is decided from the kind alone, by the one table in
`switchex.gateway.policy` — never by the error's class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import orjson


class SwitchexError(Exception):
    """Base of every error switchex raises on purpose."""


class ConfigError(SwitchexError):
    """A configuration problem; the message names the key or file at fault."""


class TrackerError(SwitchexError):
    """A git snapshot could not be taken; recorded, never raised into a request."""


class ReviewError(SwitchexError):
    """A review command cannot do what was asked."""


def error_body(error_type: str, message: str) -> bytes:
    """An Anthropic-shaped error body."""
    return orjson.dumps({"type": "error", "error": {"type": error_type, "message": message}})


_STATUS_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def error_type_for_status(status: int) -> str:
    """The Anthropic error type that goes with an HTTP status."""
    return _STATUS_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")


class FailureKind(StrEnum):
    """Why a tier did not serve: the typed kind every dialect classifies a failure into.

    The values are what logs, switch events, the journal and `/status` show as the reason.
    """

    RATE_LIMITED = "rate_limit"
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    CONNECT_ERROR = "connect_error"
    BAD_RESPONSE = "bad_response"
    AUTH_FAILED = "auth_failed"
    BILLING = "billing"
    CONTEXT_TOO_LONG = "context_too_long"
    INVALID_REQUEST = "invalid_request"
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"


_STATUS_KINDS = {
    400: FailureKind.INVALID_REQUEST,
    401: FailureKind.AUTH_FAILED,
    402: FailureKind.BILLING,
    403: FailureKind.AUTH_FAILED,
    404: FailureKind.NOT_FOUND,
    408: FailureKind.TIMEOUT,
    413: FailureKind.TOO_LARGE,
    422: FailureKind.INVALID_REQUEST,
    429: FailureKind.RATE_LIMITED,
    503: FailureKind.OVERLOADED,
    504: FailureKind.TIMEOUT,
    529: FailureKind.OVERLOADED,
}


def kind_for_status(status: int) -> FailureKind:
    """The failure kind an HTTP status means when the body says nothing more specific.

    The same for every provider kind: 402 is billing, 504 and 408 are timeouts, 503 and 529
    overloaded, 401/403 auth_failed, any other 5xx server_error, any other 4xx invalid_request.
    """
    if status in _STATUS_KINDS:
        return _STATUS_KINDS[status]
    return FailureKind.SERVER_ERROR if status >= 500 else FailureKind.INVALID_REQUEST


class RequestError(SwitchexError):
    """The client's request cannot be served as sent."""

    def __init__(self, message: str, status: int = 400, error_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type or error_type_for_status(status)

    def body(self) -> bytes:
        return error_body(self.error_type, self.message)


def _kind(reason: str, status: int) -> FailureKind:
    """The failure kind a dialect named, or the status's kind for an empty or unknown name."""
    try:
        return FailureKind(reason) if reason else kind_for_status(status)
    except ValueError:
        return kind_for_status(status)


@dataclass
class UpstreamError(SwitchexError):
    """A tier did not serve the request.

    `status`, `headers` and `body` are what the client gets if no other tier can serve
    (Anthropic-shaped; for the `anthropic` kind, the upstream's own bytes). `reason` is the
    `FailureKind` (from the status when the dialect gives none); `cooldown_until` is the
    absolute epoch time the upstream said it resets (a hint: the policy clamps it, None means
    backoff).
    """

    status: int
    message: str
    error_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    reason: str = ""
    cooldown_until: float | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)
        if not self.error_type:
            self.error_type = error_type_for_status(self.status)
        if not self.body:
            self.body = error_body(self.error_type, self.message)
        self.reason = _kind(self.reason, self.status)

    @property
    def kind(self) -> FailureKind:
        return FailureKind(self.reason)


@dataclass
class SwitchableError(UpstreamError):
    """A dialect's "the tier is limited or down"; without a reason, a server_error."""

    reason: str = FailureKind.SERVER_ERROR


@dataclass
class UpstreamRejected(UpstreamError):
    """A dialect's "the upstream refused the request itself"; the kind comes from the status."""
