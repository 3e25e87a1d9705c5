"""Which tier serves: the cooldown state machine of DESIGN.md §4.

Pure state with an injected clock: no I/O. The gateway asks `plan()` for the tiers to try in
order, reports each outcome with `failed()` / `served()`, and records the `SwitchEvent`s these
return. A cooling tier gets no request; when its cooldown expires, exactly one request probes
it (others skip it until the probe answers); success switches back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from switchex.errors import SwitchableError


@dataclass
class TierState:
    name: str
    cooling_until: float | None = None
    reason: str | None = None
    failures: int = 0
    probing: bool = False

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
    tiers: Sequence[str]
    initial_backoff: float = 30.0
    max_backoff: float = 900.0
    clock: Callable[[], float] = time.time
    states: dict[str, TierState] = field(init=False)
    active: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.states = {name: TierState(name) for name in self.tiers}
        self.active = self.tiers[0] if self.tiers else None

    def plan(self) -> list[str]:
        """Tiers to try for one request, in order; claims the probe of an expired tier."""
        now = self.clock()
        chosen: list[str] = []
        for name in self.tiers:
            state = self.states[name]
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

    def release(self, name: str) -> None:
        """The request that held this tier's probe ended without an answer from it."""
        self.states[name].probing = False

    def failed(self, name: str, error: SwitchableError) -> float:
        """The tier failed in a switch-worthy way: cool it until its reset or by backoff.

        Returns the time the cooldown ends.
        """
        now = self.clock()
        state = self.states[name]
        state.failures += 1
        state.probing = False
        backoff = min(self.max_backoff, self.initial_backoff * 2 ** (state.failures - 1))
        until = error.cooldown_until if error.cooldown_until is not None else now + backoff
        state.cooling_until = max(until, now)
        state.reason = error.reason
        return state.cooling_until

    def served(self, name: str) -> SwitchEvent | None:
        """The tier answered: clear its cooldown; a switch event if the serving tier changed."""
        state = self.states[name]
        state.cooling_until, state.reason, state.failures, state.probing = None, None, 0, False
        if name == self.active:
            return None
        previous, self.active = self.active, name
        now = self.clock()
        left = self.states.get(previous) if previous else None
        if left is not None and left.cooling(now) and left.reason:
            return SwitchEvent(now, previous, name, left.reason, left.cooling_until)
        return SwitchEvent(now, previous, name, "recovered", None)

    def soonest_expiry(self) -> float | None:
        now = self.clock()
        times = [
            s.cooling_until
            for s in self.states.values()
            if s.cooling_until is not None and s.cooling(now)
        ]
        return min(times) if times else None
