"""The one failover policy, seen from the client: which failures fail over, which come back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from switchex.fakes.openai import FakeOpenAI
from tests.client import get, message, post
from tests.helpers import GatewayServer, make_config, serve


@pytest.fixture
def keyed_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key="the-right-key") as fake:
        yield fake


@pytest.fixture
def guarded() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(api_key="sk-ant-right") as fake:
        yield fake


@pytest.fixture
def servers() -> Iterator[list[GatewayServer]]:
    """Gateways to stop before the fakes (request the fakes first): their pooled
    connections must close before the fakes' servers do."""
    started: list[GatewayServer] = []
    yield started
    for server in started:
        server.stop()


def start(
    servers: list[GatewayServer], tiers: list[dict[str, Any]], state: Path | None = None
) -> str:
    server = serve(make_config(tiers, ping_interval=0.2), state)
    servers.append(server)
    return server.url


def anthropic_tier(name: str, fake: FakeAnthropic, **extra: Any) -> dict[str, Any]:
    return {"name": name, "provider": "anthropic", "base_url": fake.base_url, **extra}


def test_a_fallback_tiers_own_bad_key_takes_it_out_and_the_next_tier_serves(
    keyed_openai: FakeOpenAI, claude: FakeAnthropic, servers: list[GatewayServer]
) -> None:
    other = {
        "name": "other",
        "provider": "openai",
        "base_url": f"{keyed_openai.base_url}/v1",
        "api_key": "a-stale-key",
        "models": {"default": "fake-model"},
    }
    url = start(servers, [other, anthropic_tier("claude", claude)])
    first = post(f"{url}/v1/messages", message())
    second = post(f"{url}/v1/messages", message())
    assert (first.status, first.headers["x-switchex-tier"]) == (200, "claude")
    assert second.headers["x-switchex-tier"] == "claude"
    assert len(keyed_openai.model_requests()) == 1  # out of the chain: not asked again
    tier = get(f"{url}/status").json()["tiers"][0]
    assert (tier["state"], tier["reason"]) == ("cooling", "auth_failed")
    assert tier["detail"] and tier["until"] >= time.time() + 3500


def test_the_clients_own_bad_key_comes_back_unmodified_and_cools_nothing(
    guarded: FakeAnthropic, claude2: FakeAnthropic, servers: list[GatewayServer]
) -> None:
    url = start(
        servers,
        [
            anthropic_tier("claude", guarded, forward_client_credentials=True),
            anthropic_tier("backup", claude2, api_key="backup-key"),
        ],
    )
    answer = post(f"{url}/v1/messages", message(), {"x-api-key": "sk-ant-wrong"})
    assert answer.status == 401
    assert answer.json()["error"]["type"] == "authentication_error"
    assert claude2.model_requests() == []
    assert get(f"{url}/status").json()["tiers"][0]["state"] == "ready"
    ok = post(f"{url}/v1/messages", message(), {"x-api-key": "sk-ant-right"})
    assert (ok.status, ok.headers["x-switchex-tier"]) == (200, "claude")


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(status=402), "billing"),
        (Reply(status=403), "auth_failed"),
        (Reply(status=504), "timeout"),
    ],
)
def test_own_key_failures_fail_over_alike(
    reply: Reply,
    kind: str,
    claude: FakeAnthropic,
    claude2: FakeAnthropic,
    servers: list[GatewayServer],
) -> None:
    claude.push(reply)
    url = start(
        servers, [anthropic_tier("t1", claude, api_key="k1"), anthropic_tier("t2", claude2)]
    )
    assert post(f"{url}/v1/messages", message()).headers["x-switchex-tier"] == "t2"
    assert get(f"{url}/status").json()["tiers"][0]["reason"] == kind


def test_an_invalid_request_comes_back_unmodified_without_trying_another_tier(
    claude: FakeAnthropic, claude2: FakeAnthropic, servers: list[GatewayServer]
) -> None:
    body = b'{"type":"error","error":{"type":"invalid_request_error","message":"exact words"}}'
    claude.push(Reply(status=400, error_body=body))
    url = start(servers, [anthropic_tier("t1", claude, api_key="k"), anthropic_tier("t2", claude2)])
    answer = post(f"{url}/v1/messages", message())
    assert (answer.status, answer.body) == (400, body)
    assert claude2.model_requests() == []


def test_a_chain_whose_only_tier_lost_its_key_says_why_in_a_429(
    guarded: FakeAnthropic, servers: list[GatewayServer]
) -> None:
    url = start(servers, [anthropic_tier("only", guarded, api_key="wrong")])
    answer = post(f"{url}/v1/messages", message())
    assert answer.status == 429
    assert 3500 <= int(answer.headers["retry-after"]) <= 3600
    assert "only (auth_failed: invalid x-api-key)" in answer.json()["error"]["message"]
