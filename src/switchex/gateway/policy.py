"""The one failover policy: for every failure kind, fail over or answer, and how long to cool.

    kind              own credentials               client's credentials
    ----------------  ----------------------------  ----------------------------
    rate_limit        fail over, cool: hint|backoff  fail over, cool: hint|backoff
    overloaded        fail over, cool: hint|backoff  fail over, cool: hint|backoff
    server_error      fail over, cool: hint|backoff  fail over, cool: hint|backoff
    timeout           fail over, cool: hint|backoff  fail over, cool: hint|backoff
    connect_error     fail over, cool: hint|backoff  fail over, cool: hint|backoff
    bad_response      fail over, cool: hint|backoff  fail over, cool: hint|backoff
    auth_failed       fail over, cool: cooldown.auth answer unmodified
    billing           fail over, cool: cooldown.auth answer unmodified
    context_too_long  answer unmodified              answer unmodified
    invalid_request   answer unmodified              answer unmodified
    not_found         answer unmodified              answer unmodified
    too_large         answer unmodified              answer unmodified

"Own credentials" is every tier that does not send the client's own key (a configured key,
or none at all); "hint" is the reset the upstream announced, clamped to
`cooldown.max_reset`; without a usable hint the tier backs off (`cooldown.initial` doubling
to `cooldown.maximum`). Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from switchex.errors import FailureKind


class Cool(Enum):
    """How long a tier that failed over cools."""

    NONE = "none"
    HINT = "hint"  # the upstream's reset when it gave a sane one, else backoff
    AUTH = "auth"  # cooldown.auth: the tier's own credential is refused


@dataclass(frozen=True)
class Decision:
    fail_over: bool
    cool: Cool


_ANSWER = Decision(False, Cool.NONE)
_SWITCH = Decision(True, Cool.HINT)
_OUT = Decision(True, Cool.AUTH)

# kind → (decision with the tier's own credentials, with the client's credentials)
POLICY: dict[FailureKind, tuple[Decision, Decision]] = {
    FailureKind.RATE_LIMITED: (_SWITCH, _SWITCH),
    FailureKind.OVERLOADED: (_SWITCH, _SWITCH),
    FailureKind.SERVER_ERROR: (_SWITCH, _SWITCH),
    FailureKind.TIMEOUT: (_SWITCH, _SWITCH),
    FailureKind.CONNECT_ERROR: (_SWITCH, _SWITCH),
    FailureKind.BAD_RESPONSE: (_SWITCH, _SWITCH),
    FailureKind.AUTH_FAILED: (_OUT, _ANSWER),
    FailureKind.BILLING: (_OUT, _ANSWER),
    FailureKind.CONTEXT_TOO_LONG: (_ANSWER, _ANSWER),
    FailureKind.INVALID_REQUEST: (_ANSWER, _ANSWER),
    FailureKind.NOT_FOUND: (_ANSWER, _ANSWER),
    FailureKind.TOO_LARGE: (_ANSWER, _ANSWER),
}


def decide(kind: FailureKind, client_credentials: bool) -> Decision:
    """What the gateway does with a failure of `kind` on a tier (see the table above)."""
    own, client = POLICY[kind]
    return client if client_credentials else own


@dataclass(frozen=True)
class CooldownSettings:
    """`cooldown.*` of the config, in seconds."""

    initial: float = 30.0
    maximum: float = 900.0
    max_reset: float = 8 * 86400.0
    auth: float = 3600.0


def backoff(failures: int, settings: CooldownSettings) -> float:
    """Seconds to cool after the `failures`-th failure in a row: doubling, capped."""
    exponent = min(max(failures - 1, 0), 64)
    return min(settings.maximum, settings.initial * 2.0**exponent)


def sane_hint(hint: float | None, now: float, max_reset: float) -> tuple[float | None, bool]:
    """(the hint clamped into [now, now + max_reset], whether it was insane).

    None stays None (no hint: back off); a non-finite hint becomes None and is reported.
    """
    if hint is None:
        return None, False
    if not isinstance(hint, int | float) or not math.isfinite(hint):
        return None, True
    return min(max(hint, now), now + max_reset), False


def cooldown_until(
    cool: Cool, hint: float | None, failures: int, now: float, settings: CooldownSettings
) -> tuple[float, bool]:
    """(when the cooldown ends — always finite and within max_reset, whether the hint was
    insane)."""
    if cool is Cool.AUTH:
        return now + min(settings.auth, settings.max_reset), False
    until, insane = sane_hint(hint, now, settings.max_reset)
    if until is None:
        until = now + min(backoff(failures, settings), settings.max_reset)
    return until, insane
