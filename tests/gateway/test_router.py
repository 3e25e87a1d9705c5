from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchex.errors import SwitchableError
from switchex.gateway.router import Router


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def router(clock: Clock) -> Router:
    return Router(["claude", "gemini", "local"], initial_backoff=30, max_backoff=900, clock=clock)


def limited(until: float | None = None, reason: str = "rate_limit") -> SwitchableError:
    return SwitchableError(429, "limited", reason=reason, cooldown_until=until)


def test_plan_is_the_chain_in_order_when_all_ready(router: Router) -> None:
    assert router.plan() == ["claude", "gemini", "local"]


def test_cooling_tier_gets_no_request_until_its_reset(router: Router, clock: Clock) -> None:
    router.failed("claude", limited(until=clock.now + 3600))
    clock.now += 3599
    assert "claude" not in router.plan()
    clock.now += 2
    assert router.plan()[0] == "claude"


@pytest.mark.parametrize(("failures", "expected"), [(1, 30), (2, 60), (3, 120), (7, 900), (9, 900)])
def test_backoff_doubles_to_the_maximum_without_a_reset_time(
    router: Router, clock: Clock, failures: int, expected: float
) -> None:
    for _ in range(failures):
        until = router.failed("gemini", limited(reason="server_error"))
    assert until - clock.now == expected


def test_only_one_request_probes_an_expired_tier(router: Router, clock: Clock) -> None:
    router.failed("claude", limited(until=clock.now + 10))
    clock.now += 11
    assert router.plan() == ["claude", "gemini", "local"]
    assert router.plan() == ["gemini", "local"]  # the probe is taken
    router.release("claude")
    assert router.plan()[0] == "claude"


def test_successful_probe_switches_back_and_clears_state(router: Router, clock: Clock) -> None:
    router.failed("claude", limited(until=clock.now + 10))
    assert router.served("gemini") is not None
    clock.now += 11
    router.plan()
    event = router.served("claude")
    assert event is not None
    assert (event.from_tier, event.to_tier, event.reason) == ("gemini", "claude", "recovered")
    assert router.states["claude"].failures == 0
    assert router.plan() == ["claude", "gemini", "local"]


def test_failover_event_names_the_reason_and_reset(router: Router, clock: Clock) -> None:
    router.failed("claude", limited(until=clock.now + 600))
    event = router.served("gemini")
    assert event is not None
    assert (event.from_tier, event.to_tier, event.reason, event.until) == (
        "claude",
        "gemini",
        "rate_limit",
        clock.now + 600,
    )
    assert router.served("gemini") is None  # no event while the serving tier stays


def test_failed_probe_cools_again_with_longer_backoff(router: Router, clock: Clock) -> None:
    router.failed("local", limited(reason="timeout"))
    clock.now += 31
    router.plan()
    until = router.failed("local", limited(reason="timeout"))
    assert until - clock.now == 60
    assert not router.states["local"].probing


def test_all_cooling_plan_is_empty_and_soonest_expiry_known(router: Router, clock: Clock) -> None:
    for name, wait in (("claude", 300), ("gemini", 50), ("local", 90)):
        router.failed(name, limited(until=clock.now + wait))
    assert router.plan() == []
    assert router.soonest_expiry() == clock.now + 50


def test_reset_in_the_past_does_not_cool_backwards(router: Router, clock: Clock) -> None:
    assert router.failed("claude", limited(until=clock.now - 100)) == clock.now


@given(
    hints=st.lists(
        st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1e20]),
        min_size=1,
        max_size=20,
    )
)
def test_any_reset_hints_leave_every_cooldown_finite_and_bounded(
    hints: list[float | None],
) -> None:
    from switchex.gateway.messages import retry_after_seconds

    clock = Clock()
    router = Router(["a", "b"], clock=clock, max_reset=8 * 86400)
    for i, hint in enumerate(hints):
        until = router.failed("ab"[i % 2], limited(until=hint))
        assert math.isfinite(until) and clock.now <= until <= clock.now + 8 * 86400
        clock.now += 1
    wait = retry_after_seconds(router.soonest_expiry(), clock.now, router.max_reset)
    assert isinstance(wait, int) and 1 <= wait <= 8 * 86400


def test_an_unusable_reset_is_logged_once_per_tier(
    router: Router, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(3):
        assert router.failed("claude", limited(until=math.inf)) < clock.now + 901
    router.failed("gemini", limited(until=math.nan))
    warnings = [r.getMessage() for r in caplog.records if "unusable reset" in r.getMessage()]
    assert len(warnings) == 2 and "claude" in warnings[0] and "gemini" in warnings[1]


def test_an_own_key_refused_takes_the_tier_out_with_its_reason(
    router: Router, clock: Clock
) -> None:
    from switchex.errors import UpstreamError
    from switchex.gateway.policy import Cool

    refused = UpstreamError(401, "invalid x-api-key", reason="auth_failed")
    assert router.failed("gemini", refused, Cool.AUTH) == clock.now + 3600
    state = router.states["gemini"]
    assert (state.reason, state.detail) == ("auth_failed", "invalid x-api-key")
    assert router.plan() == ["claude", "local"]
