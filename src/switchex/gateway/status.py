"""What a running gateway shows of itself: `/status`, `/metrics`, and the live event feed.

`Observatory` is the one place the request path reports to (`request()`), after the answer
went out: it updates the metrics, remembers the tier that served last and the latest
requests, and publishes an event — a few dict operations, no I/O.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from switchex.config import TierConfig
from switchex.gateway import pricing
from switchex.gateway.capabilities import capabilities
from switchex.gateway.events import EventBus
from switchex.gateway.metrics import Metrics, cooldowns
from switchex.gateway.router import Router, SwitchEvent
from switchex.redact import redact_url

if TYPE_CHECKING:
    from switchex.gateway.context import Gateway

RECENT = 200  # requests kept in memory for a dashboard opened without a journal


class Observatory:
    def __init__(self, router: Router) -> None:
        self.metrics = Metrics(lambda: cooldowns(router.states))
        self.events = EventBus()
        self.last: dict[str, Any] | None = None  # the tier and model that served last
        self.refused: dict[str, Any] | None = None  # the latest error answer, and why
        self.recent: deque[dict[str, Any]] = deque(maxlen=RECENT)
        self.secret = secrets.token_bytes(32)  # signs the dashboard's CSRF tokens

    def request(self, row: dict[str, Any], error: str = "") -> None:
        """One finished request (the journal's row; `error`: the message the client got)."""
        ttfb = row["ttfb_ms"] / 1000 if row["ttfb_ms"] is not None else None
        self.metrics.request(
            row["tier"], row["status"], row["error_type"], row["latency_ms"] / 1000, ttfb
        )
        if row["status"] == 200:
            self.last = {"tier": row["tier"], "model": row["served_model"], "time": row["time"]}
            tokens = {
                "input": row["input_tokens"],
                "output": row["output_tokens"],
                "cache_read": row["cache_read_tokens"],
                "cache_write": row["cache_creation_tokens"],
            }
            self.metrics.usage(row["served_model"], tokens, row["cost"])
        elif error:
            self.refused = {
                "time": row["time"],
                "status": row["status"],
                "type": row["error_type"],
                "message": error[:300],
            }
        self.recent.append(row)
        self.events.publish("request", row)

    def switched(self, event: SwitchEvent) -> None:
        self.metrics.switched(event.from_tier, event.to_tier)
        self.events.publish("switch", switch_json(event))

    def snapshot(self, seconds: float, row: dict[str, Any]) -> None:
        self.metrics.snapshot_taken(seconds)
        self.events.publish("snapshot", row)


def switch_json(event: SwitchEvent) -> dict[str, Any]:
    return {
        "time": event.time,
        "from": event.from_tier,
        "to": event.to_tier,
        "reason": event.reason,
        "until": event.until,
    }


def _tier_json(gateway: Gateway, name: str, now: float) -> dict[str, Any]:
    tier = next(t for t in gateway.config.tiers if t.name == name)
    state = gateway.router.states.get(name)
    status = state.status(now) if state else "skipped"
    live = state is not None and status != "ready"  # a reason holds while cooling or probing
    reason = (state.reason if live else None) if state else "no key"
    return {
        "name": tier.name,
        "provider": tier.provider,
        "base_url": redact_url(tier.url),
        "model": tier.models.get("default", "(as requested)"),
        "context_window": tier.context_window or _window(tier),
        "key": tier.key_state,
        "state": status,
        "until": state.cooling_until if state and state.cooling(now) else None,
        "reason": reason,
        "detail": state.detail if state and live else None,
        "probe": bool(state and state.probing),
        "failures": state.failures if state else 0,
    }


def _window(tier: TierConfig) -> int | None:
    """The default model's context window as routing sees it (`gateway.capabilities`), else
    genai-prices' for an anthropic tier (not for local servers)."""
    model = tier.models.get("default")
    if model is None:
        return None
    window = capabilities(tier, model).context_window
    if window is not None or (tier.provider != "anthropic" and not tier.key_required):
        return window
    return pricing.context_window(model, tier.url)


def _journal_name(gateway: Gateway) -> str | None:
    if gateway.journal is None:
        return None
    return str(gateway.journal.path) if gateway.journal.path else "postgresql"


def status_json(gateway: Gateway) -> dict[str, Any]:
    """The gateway's state, as `switchex status --json` prints it. Never holds a key."""
    now = time.time()
    tiers = [_tier_json(gateway, t.name, now) for t in gateway.config.tiers]
    chain = [t for t in tiers if t["state"] != "skipped"]
    view = gateway.view
    return {
        "gateway": "up",
        "journal": _journal_name(gateway),
        "active": gateway.router.active,
        "last_served": view.last,
        "last_refused": view.refused,
        "all_cooling": bool(chain) and all(t["state"] == "cooling" for t in chain),
        "soonest": gateway.router.soonest_expiry(),
        "uptime": round(now - gateway.started, 1),
        "tiers": tiers,
        "switches": [switch_json(s) for s in reversed(gateway.switches)],
        "served": dict(gateway.served),
        "requests": sum(gateway.counts.values()),
    }


def metrics_text(gateway: Gateway) -> bytes:
    return gateway.view.metrics.exposition()
