"""Where the router's cooldowns live: this process (the default) or a store shared by replicas.

The Router keeps per-tier `TierState` in memory and stays the authority for one request; a
`StateStore` mirrors its changes (`Router.on_change`), applies changes other replicas made,
and makes the one-probe-after-expiry claim team-wide. The request path consults only the
router's memory; `claim()` is the only call that may wait on the store, and only when the
plan holds a probe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Protocol

from switchex.gateway.router import Router, SwitchEvent, TierState


class StateStore(Protocol):
    """The router's state shared (or not) with other replicas."""

    def bind(self, router: Router, on_remote_switch: Callable[[SwitchEvent], None]) -> None:
        """Mirror this router's changes; report switches made by other replicas."""
        ...

    async def start(self) -> None: ...

    async def claim(self, router: Router, plan: list[str], scope: str | None) -> list[str]:
        """The plan without the probes another replica holds (atomic team-wide claim)."""
        ...

    def switched(self, event: SwitchEvent) -> None:
        """A switch event of this replica, to share."""
        ...

    async def close(self) -> None: ...


class MemoryStore:
    """Today's behaviour: the router's memory is the whole state."""

    shared = False

    def bind(self, router: Router, on_remote_switch: Callable[[SwitchEvent], None]) -> None:
        return None

    async def start(self) -> None:
        return None

    async def claim(self, router: Router, plan: list[str], scope: str | None) -> list[str]:
        return plan

    def switched(self, event: SwitchEvent) -> None:
        return None

    async def close(self) -> None:
        return None


def credential_scope(headers: Mapping[str, str]) -> str | None:
    """A stable, non-reversible name for the client's credential: sha256, 16 hex digits.

    The token itself is never kept; a request without credentials has no scope.
    """
    token = headers.get("x-api-key") or headers.get("authorization")
    if not token:
        return None
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def probe_claimed(state: TierState) -> bool:
    """Whether `Router.plan` just claimed this tier's probe (it had an expired cooldown)."""
    return state.probing and state.cooling_until is not None
