"""Which tier serves: the cooldown state machine of DESIGN.md §4.

Pure state with an injected clock: no I/O. The gateway asks `plan()` for the tiers to try in
order, reports each outcome with `failed()` / `served()`, and records the `SwitchEvent`s these
return. A cooling tier gets no request; when its cooldown expires, exactly one request probes
it (others skip it until the probe answers); success switches back.

Everything the router knows about a tier is in its `TierState` (one dataclass per tier, so a
shared store can mirror it). Every `cooling_until` is finite and at most `max_reset` ahead:
the cooldown comes from `policy.cooldown_until`, which clamps whatever the upstream said.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from switchex.errors import UpstreamError
from switchex.gateway.policy import Cool, CooldownSettings, cooldown_until

log = logging.getLogger("switchex.gateway")


@dataclass
class TierState:
    """One tier's routing state; `detail` says why a tier was taken out (auth, billing)."""

    name: str
    cooling_until: float | None = None
    reason: str | None = None
    failures: int = 0
    probing: bool = False
    detail: str | None = None

    def cooling(self, now: float) -> bool:
        return self.cooling_until is not None and now < self.cooling_until

    def status(self, now: float) -> str:
        if self.cooling(now):
            return "cooling"
        return "probing" if self.probing else "ready"


@dataclass(frozen=True)
class SwitchEvent:
    """The serving tier changed (or a tier started cooling)."""

    time: float
    from_tier: str | None
    to_tier: str | None
    reason: str
    until: float | None


@dataclass
class Router:
    """`scoped` tiers (the client's own credentials) keep one TierState per credential scope
    (`state(name, scope)`, key `name@scope`); `on_change(state, previous_until)` hears every
    cooldown set or cleared (team mode publishes it), never the unchanged hot path."""

    tiers: Sequence[str]
    initial_backoff: float = 30.0
    max_backoff: float = 900.0
    clock: Callable[[], float] = time.time
    scoped: frozenset[str] = frozenset()
    on_change: Callable[[TierState, float | None], None] | None = None
    max_reset: float = 8 * 86400.0
    auth_cooldown: float = 3600.0
    states: dict[str, TierState] = field(init=False)
    scoped_states: dict[str, TierState] = field(init=False, default_factory=dict)
    active: str | None = field(init=False, default=None)
    settings: CooldownSettings = field(init=False)
    _warned: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.states = {name: TierState(name) for name in self.tiers}
        self.active = self.tiers[0] if self.tiers else None
        self.settings = CooldownSettings(
            self.initial_backoff, self.max_backoff, self.max_reset, self.auth_cooldown
        )

    def state(self, name: str, scope: str | None = None) -> TierState:
        """The state of a tier, per credential scope for a scoped tier."""
        if scope is None or name not in self.scoped:
            return self.states[name]
        key = f"{name}@{scope}"
        found = self.scoped_states.get(key)
        if found is None:
            found = self.scoped_states[key] = TierState(key)
        return found

    def plan(self, scope: str | None = None) -> list[str]:
        """Tiers to try for one request, in order; claims the probe of an expired tier."""
        now = self.clock()
        chosen: list[str] = []
        for name in self.tiers:
            state = self.state(name, scope)
            if state.cooling(now) or state.probing:
                continue
            if state.cooling_until is not None:
                state.probing = True
            chosen.append(name)
        return chosen

    def plan_readonly(self) -> list[str]:
        """Tiers not cooling, in order, without claiming any probe (for side requests)."""
        now = self.clock()
        return [name for name in self.tiers if not self.states[name].cooling(now)]

    def release(self, name: str, scope: str | None = None) -> None:
        """The request that held this tier's probe ended without an answer from it."""
        self.state(name, scope).probing = False

    def failed(
        self, name: str, error: UpstreamError, cool: Cool = Cool.HINT, scope: str | None = None
    ) -> float:
        """The tier failed in a switch-worthy way: cool it as the policy says.

        Returns the time the cooldown ends (finite, at most `max_reset` ahead). An insane
        reset hint (inf, nan) falls back to backoff and is logged once per tier.
        """
        now = self.clock()
        state = self.state(name, scope)
        previous = state.cooling_until
        state.failures += 1
        state.probing = False
        until, insane = cooldown_until(
            cool, error.cooldown_until, state.failures, now, self.settings
        )
        if insane and name not in self._warned:
            self._warned.add(name)
            log.warning("tier %s announced an unusable reset time; backing off instead", name)
        state.cooling_until = until
        state.reason = error.reason
        state.detail = error.message[:300] if cool is Cool.AUTH else None
        if self.on_change is not None:
            self.on_change(state, previous)
        return until

    def served(self, name: str, scope: str | None = None) -> SwitchEvent | None:
        """The tier answered: clear its cooldown; a switch event if the serving tier changed."""
        state = self.state(name, scope)
        cleared, changed = state.cooling_until, state.failures > 0
        state.cooling_until, state.reason, state.failures, state.probing = None, None, 0, False
        state.detail = None
        if changed and self.on_change is not None:
            self.on_change(state, cleared)
        if name == self.active:
            return None
        previous, self.active = self.active, name
        now = self.clock()
        left = self.states.get(previous) if previous else None
        if left is not None and left.cooling(now) and left.reason:
            return SwitchEvent(now, previous, name, left.reason, left.cooling_until)
        return SwitchEvent(now, previous, name, "recovered", None)

    def soonest_expiry(self, scope: str | None = None) -> float | None:
        now = self.clock()
        states = [self.state(name, scope) for name in self.tiers]
        times = [s.cooling_until for s in states if s.cooling_until is not None and s.cooling(now)]
        return min(times) if times else None
