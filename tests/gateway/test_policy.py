from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchex.errors import FailureKind
from switchex.gateway.policy import (
    POLICY,
    Cool,
    CooldownSettings,
    Decision,
    backoff,
    cooldown_until,
    decide,
)

SWITCH = Decision(True, Cool.HINT)
OUT = Decision(True, Cool.AUTH)
ANSWER = Decision(False, Cool.NONE)
NOW = 1_000_000.0
SETTINGS = CooldownSettings(initial=30, maximum=900, max_reset=8 * 86400, auth=3600)

# Every kind × (the tier's own credentials, the client's own credentials).
TABLE = {
    FailureKind.RATE_LIMITED: (SWITCH, SWITCH),
    FailureKind.OVERLOADED: (SWITCH, SWITCH),
    FailureKind.SERVER_ERROR: (SWITCH, SWITCH),
    FailureKind.TIMEOUT: (SWITCH, SWITCH),
    FailureKind.CONNECT_ERROR: (SWITCH, SWITCH),
    FailureKind.BAD_RESPONSE: (SWITCH, SWITCH),
    FailureKind.AUTH_FAILED: (OUT, ANSWER),
    FailureKind.BILLING: (OUT, ANSWER),
    FailureKind.CONTEXT_TOO_LONG: (ANSWER, ANSWER),
    FailureKind.INVALID_REQUEST: (ANSWER, ANSWER),
    FailureKind.NOT_FOUND: (ANSWER, ANSWER),
    FailureKind.TOO_LARGE: (ANSWER, ANSWER),
}


def test_the_table_covers_every_kind() -> None:
    assert set(POLICY) == set(FailureKind) == set(TABLE)


@pytest.mark.parametrize("kind", list(FailureKind))
@pytest.mark.parametrize("client_credentials", [False, True])
def test_every_kind_with_either_credential(kind: FailureKind, client_credentials: bool) -> None:
    assert decide(kind, client_credentials) == TABLE[kind][client_credentials]


def test_a_reset_hint_is_used_when_sane_and_clamped_when_far() -> None:
    assert cooldown_until(Cool.HINT, NOW + 60, 1, NOW, SETTINGS) == (NOW + 60, False)
    assert cooldown_until(Cool.HINT, NOW + 1e12, 1, NOW, SETTINGS) == (NOW + 8 * 86400, False)
    assert cooldown_until(Cool.HINT, NOW - 5, 1, NOW, SETTINGS) == (NOW, False)


@pytest.mark.parametrize("hint", [math.inf, -math.inf, math.nan])
def test_a_non_finite_hint_backs_off_and_is_reported(hint: float) -> None:
    assert cooldown_until(Cool.HINT, hint, 2, NOW, SETTINGS) == (NOW + 60, True)


def test_an_own_key_refused_cools_for_cooldown_auth_whatever_the_hint() -> None:
    assert cooldown_until(Cool.AUTH, NOW + 5, 1, NOW, SETTINGS) == (NOW + 3600, False)


def test_backoff_doubles_up_to_the_maximum_even_after_endless_failures() -> None:
    assert [backoff(n, SETTINGS) for n in (1, 2, 3, 10**9)] == [30, 60, 120, 900]


@given(
    hint=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    failures=st.integers(min_value=1, max_value=10**12),
    cool=st.sampled_from([Cool.HINT, Cool.AUTH]),
)
def test_every_cooldown_is_finite_and_within_max_reset(
    hint: float | None, failures: int, cool: Cool
) -> None:
    until, _ = cooldown_until(cool, hint, failures, NOW, SETTINGS)
    assert math.isfinite(until) and NOW <= until <= NOW + SETTINGS.max_reset
