"""Whose credentials go where: the client's only to Anthropic's host or a tier marked for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from tests.client import message, post
from tests.helpers import GatewayServer, make_config, serve

CLIENT = {
    "authorization": "Bearer sk-ant-oat01-subscriber",
    "x-api-key": "sk-ant-api03-client",
    "anthropic-beta": "oauth-2025-04-20",
    "cookie": "session=secret-cookie",
}


@pytest.fixture
def third_party() -> Iterator[FakeAnthropic]:
    """An Anthropic-speaking host that is not Anthropic (a LiteLLM proxy, say)."""
    with FakeAnthropic() as fake:
        yield fake


def seen_headers(fake: FakeAnthropic) -> str:
    [request] = fake.model_requests()
    return "\n".join(f"{k.lower()}: {v}" for k, v in request.headers.items())


def run(tier: dict[str, object]) -> None:
    server: GatewayServer = serve(make_config([tier]), None)
    try:
        assert post(f"{server.url}/v1/messages", message(), CLIENT).status == 200
    finally:
        server.stop()


def test_a_third_party_anthropic_tier_without_a_key_gets_no_client_credential(
    third_party: FakeAnthropic,
) -> None:
    run({"name": "proxy", "provider": "anthropic", "base_url": third_party.base_url})
    seen = seen_headers(third_party)
    for secret in ("sk-ant-oat01", "sk-ant-api03", "oauth-2025", "secret-cookie"):
        assert secret not in seen
    assert "authorization" not in seen and "x-api-key" not in seen


def test_its_own_key_is_sent_and_nothing_of_the_clients(third_party: FakeAnthropic) -> None:
    tier = {"name": "p", "provider": "anthropic", "base_url": third_party.base_url}
    run({**tier, "api_key": "proxy-key"})
    seen = seen_headers(third_party)
    assert "x-api-key: proxy-key" in seen
    assert "sk-ant" not in seen and "oauth-2025" not in seen and "cookie" not in seen


def test_forward_client_credentials_sends_them_but_never_the_cookie(
    third_party: FakeAnthropic,
) -> None:
    tier = {"name": "p", "provider": "anthropic", "base_url": third_party.base_url}
    run({**tier, "forward_client_credentials": True})
    seen = seen_headers(third_party)
    assert "authorization: Bearer sk-ant-oat01-subscriber" in seen
    assert "anthropic-beta: oauth-2025-04-20" in seen
    assert "secret-cookie" not in seen


def test_anthropics_own_host_gets_the_clients_credentials() -> None:
    config = make_config([{"name": "claude", "provider": "anthropic"}])
    [claude] = config.tiers
    assert claude.uses_client_credentials and claude.key_state == "client's own"
    proxy = make_config([{"name": "p", "provider": "anthropic", "base_url": "https://x.example"}])
    assert not proxy.tiers[0].uses_client_credentials
