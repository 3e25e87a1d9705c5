"""`/metrics`: prometheus-client exposition that parses, with the labels a panel can use."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from switchex.gateway.metrics import Metrics
from tests.client import get, message, post
from tests.gateway.conftest import MakeGateway


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def test_failover_shows_in_counts_histograms_switches_and_cooldown(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude, claude2)
    claude.push(Reply(status=429, headers={"retry-after": "120"}))
    assert post(f"{gateway.url}/v1/messages", message()).status == 200
    answer = get(f"{gateway.url}/metrics")
    assert answer.status == 200
    got = samples(answer.body.decode())
    ok_t2 = frozenset({("tier", "t2"), ("outcome", "ok")})
    assert got[("switchex_requests_total", ok_t2)] == 1
    assert got[("switchex_request_seconds_count", ok_t2)] == 1
    assert got[("switchex_first_byte_seconds_count", ok_t2)] == 1
    assert (
        got[("switchex_switches_total", frozenset({("from_tier", "t1"), ("to_tier", "t2")}))] == 1
    )
    assert 100 < got[("switchex_tier_cooldown_seconds", frozenset({("tier", "t1")}))] <= 120
    assert got[("switchex_tier_cooldown_seconds", frozenset({("tier", "t2")}))] == 0
    tokens = frozenset({("model", "claude-sonnet-4-5"), ("kind", "input")})
    assert got[("switchex_tokens_total", tokens)] == 10
    cost = got[("switchex_cost_dollars_total", frozenset({("model", "claude-sonnet-4-5")}))]
    assert 0 < cost < 0.001


def test_each_gateway_has_its_own_registry() -> None:
    first, second = Metrics(dict), Metrics(dict)
    first.request("a", 200, None, 0.1, 0.05)
    assert b'switchex_requests_total{outcome="ok",tier="a"} 1.0' in first.exposition()
    assert b"switchex_requests_total{" not in second.exposition()


def test_unknown_cost_is_counted_as_unpriced_not_as_zero_dollars() -> None:
    metrics = Metrics(dict)
    metrics.usage("my-local-model", {"input": 5, "output": 2}, None)
    got = samples(metrics.exposition().decode())
    assert got[("switchex_unpriced_requests_total", frozenset({("model", "my-local-model")}))] == 1
    assert not any(name == "switchex_cost_dollars_total" for name, _ in got)
