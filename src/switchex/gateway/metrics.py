"""`GET /metrics`: one gateway's Prometheus metrics, on its own registry (no global state).

Recording is cheap on the hot path: the labelled children of each (tier, outcome) pair are
cached, so an answered request costs a few dict lookups and lock-free-ish increments. The
cooldown gauge is computed at scrape time from the router, never kept up to date by hand.
Rendering the exposition costs about ten microseconds per line in prometheus-client, so the
recorded metrics are rendered again only when something was recorded since the last scrape
(a version number, bumped by every record), and the gateway renders in a worker thread, never
on the event loop. The cooldown gauge, a few lines, is rendered on every scrape.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# Seconds. Few buckets on purpose: each is a line per (tier, outcome) in every scrape.
LATENCY_BUCKETS = (0.1, 0.5, 2, 5, 15, 60, 300)
TTFB_BUCKETS = (0.05, 0.25, 1, 3, 10, 30)
SNAPSHOT_BUCKETS = (0.01, 0.05, 0.2, 1, 5)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def outcome(status: int, error_type: str | None) -> str:
    """A small, bounded label for how a request ended."""
    if status == 200:
        return "ok"
    if status == 499:
        return "client_gone"
    return error_type or f"http_{status}"


class _Cooldowns(Collector):
    """Seconds each tier still cools, read from the router at scrape time."""

    def __init__(self, remaining: Callable[[], Mapping[str, float]]) -> None:
        self.remaining = remaining

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "switchex_tier_cooldown_seconds",
            "Seconds until the tier's cooldown ends (0 when it is not cooling).",
            labels=["tier"],
        )
        for tier, seconds in self.remaining().items():
            family.add_metric([tier], seconds)
        yield family


class Metrics:
    """The metrics of one gateway; `remaining` gives each tier's cooldown seconds left."""

    def __init__(self, remaining: Callable[[], Mapping[str, float]]) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=False)
        pair = ["tier", "outcome"]
        self.requests = Counter(
            "switchex_requests", "Requests answered, by tier and outcome.", pair, registry=registry
        )
        self.latency = Histogram(
            "switchex_request_seconds",
            "Whole request time, by tier and outcome.",
            pair,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.ttfb = Histogram(
            "switchex_first_byte_seconds",
            "Time to the first byte sent to the client, by tier and outcome.",
            pair,
            buckets=TTFB_BUCKETS,
            registry=registry,
        )
        self.switches = Counter(
            "switchex_switches",
            "Changes of the serving tier.",
            ["from_tier", "to_tier"],
            registry=registry,
        )
        self.tokens = Counter(
            "switchex_tokens",
            "Tokens by served model and kind.",
            ["model", "kind"],
            registry=registry,
        )
        self.cost = Counter(
            "switchex_cost_dollars",
            "Known cost in US dollars by served model.",
            ["model"],
            registry=registry,
        )
        self.unpriced = Counter(
            "switchex_unpriced_requests",
            "Answered requests whose cost is unknown.",
            ["model"],
            registry=registry,
        )
        self.snapshot = Histogram(
            "switchex_snapshot_seconds",
            "Time to take one snapshot of a work tree.",
            buckets=SNAPSHOT_BUCKETS,
            registry=registry,
        )
        self.live = CollectorRegistry(auto_describe=False)  # rendered on every scrape
        self.live.register(_Cooldowns(remaining))
        self._pairs: dict[tuple[str, str], tuple[Any, Any, Any]] = {}
        self._version = 0
        self._rendered: tuple[int, bytes] = (-1, b"")

    def request(
        self, tier: str, status: int, error_type: str | None, seconds: float, ttfb: float | None
    ) -> None:
        key = (tier or "-", outcome(status, error_type))
        children = self._pairs.get(key)
        if children is None:
            children = (
                self.requests.labels(*key),
                self.latency.labels(*key),
                self.ttfb.labels(*key),
            )
            self._pairs[key] = children
        self._version += 1
        children[0].inc()
        children[1].observe(seconds)
        if ttfb is not None:
            children[2].observe(ttfb)

    def usage(self, model: str, tokens: Mapping[str, int], cost: float | None) -> None:
        """Tokens (by kind: input, output, cache_read, cache_write) and cost of one answer."""
        self._version += 1
        for kind, count in tokens.items():
            if count:
                self.tokens.labels(model, kind).inc(count)
        if cost is None:
            self.unpriced.labels(model).inc()
        elif cost:
            self.cost.labels(model).inc(cost)

    def switched(self, from_tier: str | None, to_tier: str | None) -> None:
        self._version += 1
        self.switches.labels(from_tier or "-", to_tier or "-").inc()

    def snapshot_taken(self, seconds: float) -> None:
        self._version += 1
        self.snapshot.observe(seconds)

    def exposition(self) -> bytes:
        version, rendered = self._rendered
        if version != self._version:
            version = self._version  # read first: a record during rendering re-renders next time
            rendered = generate_latest(self.registry)
            self._rendered = (version, rendered)
        return rendered + generate_latest(self.live)


def cooldowns(
    states: Mapping[str, Any], clock: Callable[[], float] = time.time
) -> dict[str, float]:
    """Seconds left per tier, from the router's states (`cooling_until` epoch or None)."""
    now = clock()
    return {
        name: max(0.0, state.cooling_until - now) if state.cooling_until else 0.0
        for name, state in states.items()
    }
