"""Three gateway replicas sharing router state through a real Redis, behind one fake Claude."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from tests.client import Answer, post
from tests.helpers import GatewayServer, make_config, serve
from tests.team.servers import RedisServer

BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 16,
    "messages": [{"role": "user", "content": "hi"}],
}
Replicas = Callable[..., list[GatewayServer]]


@pytest.fixture
def replicas(tmp_path: Path, redis_server: RedisServer) -> Iterator[Replicas]:
    started: list[GatewayServer] = []

    def make(first: FakeAnthropic, backup: FakeAnthropic, **first_tier: Any) -> list[GatewayServer]:
        tiers = [
            {"name": "org", "provider": "anthropic", "base_url": first.base_url, **first_tier},
            {
                "name": "backup",
                "provider": "anthropic",
                "base_url": backup.base_url,
                "api_key": "backup-key",
            },
        ]
        config = make_config(tiers, state=redis_server.url)
        started.extend(serve(config, tmp_path / f"replica{i}") for i in range(3))
        return started

    yield make
    for server in started:
        server.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> float:
    """Seconds it took for `condition` to hold (fails the test past `timeout`)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "condition not reached in time"
        time.sleep(0.01)
    return time.monotonic() - start


def cooling(server: GatewayServer, tier: str = "org") -> bool:
    return server.gateway.router.states[tier].cooling(time.time())


def test_a_429_at_one_replica_keeps_every_replica_off_the_tier_then_one_probe(
    replicas: Replicas, claude: FakeAnthropic, claude2: FakeAnthropic
) -> None:
    a, b, c = replicas(claude, claude2, api_key="org-key")
    claude.push(Reply(status=429, headers={"retry-after": "2"}, error_message="org rate limit"))
    assert post(a.url + "/v1/messages", BODY).status == 200  # served by the backup
    assert len(claude.model_requests()) == 1
    wait_for(lambda: cooling(b) and cooling(c))  # pub/sub, before their next request

    for server in (a, b, c) * 20:
        assert post(server.url + "/v1/messages", BODY).status == 200
    assert len(claude.model_requests()) == 1  # nobody sent the limited tier a request
    assert len(claude2.model_requests()) == 61

    until = a.gateway.router.states["org"].cooling_until
    assert until is not None
    time.sleep(max(0.0, until - time.time()) + 0.05)
    claude.push(Reply(text="probe answer", delay=0.5))
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda s: post(s.url + "/v1/messages", BODY), (a, b, c) * 2))
    assert [answer.status for answer in answers] == [200] * 6
    assert len(claude.model_requests()) == 2  # exactly one probe across the three replicas

    wait_for(lambda: not any(s.gateway.router.states["org"].cooling_until for s in (a, b, c)))
    for server in (a, b, c):
        assert post(server.url + "/v1/messages", BODY).status == 200
    assert len(claude.model_requests()) == 5  # back on the org tier everywhere


def test_a_stale_replica_cannot_shorten_a_cooldown(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with FakeAnthropic() as first, FakeAnthropic() as backup:
        tiers = [
            {"name": "org", "provider": "anthropic", "base_url": first.base_url, "api_key": "k"},
            {
                "name": "backup",
                "provider": "anthropic",
                "base_url": backup.base_url,
                "api_key": "k",
            },
        ]
        config = make_config(tiers, state=redis_server.url)
        a, b = serve(config, tmp_path / "a"), serve(config, tmp_path / "b")
        try:
            first.push(Reply(status=429, headers={"retry-after": "600"}))
            post(a.url + "/v1/messages", BODY)
            wait_for(lambda: cooling(b))
            long_until = b.gateway.router.states["org"].cooling_until
            # b missed nothing yet still reports an earlier reset (a stale reading)
            b.gateway.router.states["org"].cooling_until = None
            first.push(Reply(status=429, headers={"retry-after": "5"}))
            post(b.url + "/v1/messages", BODY)
            stored = redis.Redis.from_url(redis_server.url).hget("switchex:cooldown:org", "until")
            assert stored is not None and float(stored) == long_until
            wait_for(lambda: b.gateway.router.states["org"].cooling_until == long_until)
            assert a.gateway.router.states["org"].cooling_until == long_until
        finally:
            a.stop()
            b.stop()


def test_redis_killed_and_restarted_requests_keep_succeeding_and_state_resyncs(
    replicas: Replicas,
    redis_server: RedisServer,
    claude: FakeAnthropic,
    claude2: FakeAnthropic,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="switchex.state")
    a, b, c = replicas(claude, claude2, api_key="org-key")
    assert post(a.url + "/v1/messages", BODY).status == 200
    redis_server.kill()
    wait_for(lambda: all(s.gateway.state.down for s in (a, b, c)))  # type: ignore[attr-defined]

    claude.push(Reply(status=429, headers={"retry-after": "60"}))
    answers: list[Answer] = [post(s.url + "/v1/messages", BODY, timeout=5) for s in (a, b, c) * 5]
    assert [answer.status for answer in answers] == [200] * 15
    assert cooling(a) and not cooling(b)  # no shared state while Redis is down
    lost = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(lost) == 3  # once per replica, not per request

    redis_server.start()
    assert wait_for(lambda: cooling(b) and cooling(c), timeout=10) < 10
    before = len(claude.model_requests())
    for server in (b, c) * 5:
        assert post(server.url + "/v1/messages", BODY).status == 200
    assert len(claude.model_requests()) == before
    assert any("Redis is back" in r.getMessage() for r in caplog.records)


def test_a_tier_on_the_clients_own_credentials_cools_per_credential(
    replicas: Replicas, redis_server: RedisServer, claude: FakeAnthropic, claude2: FakeAnthropic
) -> None:
    # org: no key, the client's own credential (a loopback fake: forwarding is asked for)
    a, b, _ = replicas(claude, claude2, forward_client_credentials=True)
    alice = {"x-api-key": "sk-ant-alice-secret-token"}
    bob = {"x-api-key": "sk-ant-bob-secret-token"}
    claude.push(Reply(status=429, headers={"retry-after": "60"}))
    assert post(a.url + "/v1/messages", BODY, alice).status == 200
    states = b.gateway.router.scoped_states
    wait_for(lambda: any(s.cooling(time.time()) for s in states.values()))

    before = len(claude.model_requests())
    assert post(b.url + "/v1/messages", BODY, alice).status == 200
    assert len(claude.model_requests()) == before  # alice's credential is cooling everywhere
    assert post(b.url + "/v1/messages", BODY, bob).status == 200
    assert len(claude.model_requests()) == before + 1  # bob's is not
    assert claude.model_requests()[-1].headers["x-api-key"] == bob["x-api-key"]

    client = redis.Redis.from_url(redis_server.url)
    stored = b"".join(
        key + b"".join(client.hgetall(key).values()) for key in client.scan_iter("switchex:*")
    )
    assert b"cooldown:org@" in stored
    assert b"alice" not in stored and b"secret" not in stored  # a hash, never the token


def test_a_replica_starts_and_serves_while_redis_is_not_there(
    tmp_path: Path, claude: FakeAnthropic
) -> None:
    from tests.team.servers import free_port

    tiers = [{"name": "org", "provider": "anthropic", "base_url": claude.base_url, "api_key": "k"}]
    config = make_config(tiers, state=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    server = serve(config, None)
    try:
        assert time.monotonic() - started < 3
        for _ in range(3):
            assert post(server.url + "/v1/messages", BODY, timeout=5).status == 200
    finally:
        server.stop()
