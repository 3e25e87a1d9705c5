"""Everything one running gateway holds, built once by the app factory."""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from switchex.config import Config, TierConfig
from switchex.gateway.http1 import Pool
from switchex.gateway.router import Router, SwitchEvent
from switchex.journal.db import JournalWriter
from switchex.providers.base import Provider, TierSpec
from switchex.state.base import MemoryStore, StateStore

log = logging.getLogger("switchex.gateway")


class RequestObserver(Protocol):
    """What the tracker offers the gateway: request boundaries and tool-use answers."""

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


def tier_spec(tier: TierConfig) -> TierSpec:
    options = {"project": tier.project, "region": tier.region, "profile": tier.profile}
    return TierSpec(
        tier.name,
        tier.url,
        tier.api_key,
        tier.max_output_tokens,
        tier.headers,
        {key: value for key, value in options.items() if value},
    )


@dataclass
class Gateway:
    """The gateway's state: frozen config, router, providers, client pool, journal."""

    config: Config
    router: Router
    providers: dict[str, Provider]
    journal: JournalWriter | None
    observer: RequestObserver | None = None
    on_switch: list[Callable[[SwitchEvent], None]] = field(default_factory=list)
    pool: Pool | None = None
    state: StateStore = field(default_factory=MemoryStore)  # shared cooldowns (team mode)
    started: float = field(default_factory=time.time)
    switches: deque[SwitchEvent] = field(default_factory=lambda: deque(maxlen=50))
    counts: Counter[tuple[str, int]] = field(default_factory=Counter)
    served: dict[str, str] = field(default_factory=dict)  # tier -> the model it last served
    tiers: dict[str, TierConfig] = field(init=False)
    specs: dict[str, TierSpec] = field(init=False)

    def __post_init__(self) -> None:
        self.tiers = {tier.name: tier for tier in self.config.active_tiers}
        self.specs = {name: tier_spec(tier) for name, tier in self.tiers.items()}

    def http(self) -> Pool:
        if self.pool is None or self.pool.closed:
            from switchex.gateway.upstream import new_session

            self.pool = new_session()
        return self.pool

    def switched(self, event: SwitchEvent) -> None:
        """Record a change of serving tier everywhere it is shown."""
        self.switches.append(event)
        until = time.strftime("%H:%M:%S", time.localtime(event.until)) if event.until else "-"
        log.warning(
            "switch %s -> %s (%s, until %s)", event.from_tier, event.to_tier, event.reason, until
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
