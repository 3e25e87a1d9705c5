"""The one error hierarchy of switchex.

    SwitchexError
    ├── ConfigError            bad configuration: names the key or file at fault
    ├── RequestError           the client's request is bad: answered with an Anthropic-shaped 4xx
    ├── TrackerError           git snapshotting failed (never leaves the tracker's worker)
    ├── ReviewError            a review command cannot do what was asked (CLI message)
    └── UpstreamError          a tier did not serve the request
        ├── SwitchableError    429 / 529 / 5xx / connect error / timeout: cool it, try the next
        └── UpstreamRejected   400 / 401 / 403 / 404 / 413: the client gets it unmodified

The router reads only this hierarchy; each provider maps its wire errors into it in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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


class RequestError(SwitchexError):
    """The client's request cannot be served as sent."""

    def __init__(self, message: str, status: int = 400, error_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type or error_type_for_status(status)

    def body(self) -> bytes:
        return error_body(self.error_type, self.message)


@dataclass
class UpstreamError(SwitchexError):
    """A tier did not serve the request.

    `status`, `headers` and `body` are what the client gets if no other tier can serve
    (Anthropic-shaped; for the `anthropic` kind, the upstream's own bytes).
    """

    status: int
    message: str
    error_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        super().__init__(self.message)
        if not self.error_type:
            self.error_type = error_type_for_status(self.status)
        if not self.body:
            self.body = error_body(self.error_type, self.message)


@dataclass
class SwitchableError(UpstreamError):
    """The tier is limited or down: cool it and try the next tier.

    `cooldown_until` is an absolute epoch time when the upstream said when it resets
    (subscription reset, retry-after, rate-limit reset headers); None means: use backoff.
    `reason` is a short word for logs and switch events: rate_limit, overloaded, server_error,
    connect_error, timeout.
    """

    reason: str = "server_error"
    cooldown_until: float | None = None


@dataclass
class UpstreamRejected(UpstreamError):
    """The upstream refused the request itself (4xx other than 429): relay it, do not switch."""
