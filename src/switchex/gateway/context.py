"""Everything one running gateway holds, built once by the app factory.

The gateway is its tiers (config + dialect + transport), the router that picks among them,
and its output sinks, each behind a typed protocol: the journal, the request observer (the
tracker) and the switch listeners (the notifier). The counters below feed /status and
/metrics.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from switchex.config import Config
from switchex.gateway.router import Router, SwitchEvent
from switchex.gateway.status import Observatory
from switchex.gateway.tier import PooledTransport, Tier
from switchex.gateway.upstream import Transport
from switchex.journal.db import JournalWriter
from switchex.state.base import MemoryStore, StateStore

log = logging.getLogger("switchex.gateway")


class RequestObserver(Protocol):
    """What the tracker offers the gateway: request boundaries, answers, hooks, shutdown."""

    def boundary(self, session: str, request: dict[str, Any], agent: str) -> str | None:
        """Note a request boundary; returns the session's repository path if known."""
        ...

    def responded(
        self,
        session: str,
        model: str,
        tier: str,
        tool_use: bool,
        agent: str = "",
        tool_ids: Sequence[str] = (),
    ) -> None:
        """An answer ended: who served it, and the ids of the tool calls it asked for."""
        ...

    def hook(self, event: str, payload: dict[str, Any]) -> None:
        """A Claude Code hook event (`SessionStart`, `PostToolUse`, ...); may block briefly."""
        ...

    def close(self) -> None: ...


SwitchListener = Callable[[SwitchEvent], None]


def _clock_text(when: float | None) -> str:
    try:
        return time.strftime("%H:%M:%S", time.localtime(when)) if when else "-"
    except (OverflowError, OSError, ValueError):
        return "-"


@dataclass
class Gateway:
    """The gateway's state: frozen config, tiers, router, output sinks, counters."""

    config: Config
    tiers: dict[str, Tier]
    router: Router
    journal: JournalWriter | None
    observer: RequestObserver | None = None
    on_switch: list[SwitchListener] = field(default_factory=list)
    transport: Transport = field(default_factory=PooledTransport)
    state: StateStore = field(default_factory=MemoryStore)  # shared cooldowns (team mode)
    started: float = field(default_factory=time.time)
    switches: deque[SwitchEvent] = field(default_factory=lambda: deque(maxlen=50))
    counts: Counter[tuple[str, int]] = field(default_factory=Counter)
    served: dict[str, str] = field(default_factory=dict)  # tier -> the model it last served
    # The enabled work tree holding a path, or None: git runs in no other (DESIGN.md §12).
    repo_allowed: Callable[[str], Path | None] = lambda path: None
    view: Observatory = field(init=False)  # metrics, live events, last served
    probed: set[str] = field(default_factory=set)  # tiers whose server software was asked

    def __post_init__(self) -> None:
        self.view = Observatory(self.router)

    def switched(self, event: SwitchEvent) -> None:
        """Record a change of serving tier everywhere it is shown."""
        self.switches.append(event)
        self.view.switched(event)
        log.warning(
            "switch %s -> %s (%s, until %s)",
            event.from_tier,
            event.to_tier,
            event.reason,
            _clock_text(event.until),
        )
        if self.journal:
            self.journal.record(
                "switches",
                {
                    "time": event.time,
                    "from_tier": event.from_tier,
                    "to_tier": event.to_tier,
                    "reason": event.reason,
                    "until": event.until,
                },
            )
        for listener in self.on_switch:
            try:
                listener(event)
            except Exception:
                log.exception("switch listener failed")

    async def close(self) -> None:
        """Close the transport, the observer and the journal (in that order)."""
        await self.transport.close()
        if self.observer is not None:
            self.observer.close()
        if self.journal:
            self.journal.close()
