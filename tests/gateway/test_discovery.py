"""Model discovery: one `claude-via-<tier>` id per tier, and choosing one pins the request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.openai import FakeOpenAI
from tests.client import get, message, post
from tests.helpers import GatewayServer, make_config, serve


@pytest.fixture
def gateway(claude: FakeAnthropic, tmp_path: Path) -> Iterator[tuple[GatewayServer, FakeOpenAI]]:
    with FakeOpenAI() as local:
        tiers = [
            {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
            {
                "name": "local",
                "provider": "openai",
                "base_url": f"{local.base_url}/v1",
                "models": {"default": "qwen2.5-coder:7b"},
            },
        ]
        server = serve(make_config(tiers), tmp_path / "state")
        yield server, local
        server.stop()


def test_models_lists_one_claude_id_per_tier(
    gateway: tuple[GatewayServer, FakeOpenAI],
) -> None:
    server, _ = gateway
    listed = {m["id"]: m["display_name"] for m in get(f"{server.url}/v1/models").json()["data"]}
    assert "claude-sonnet-4-5" in listed
    assert listed["claude-via-local"] == "local via switchex (qwen2.5-coder:7b)"
    assert "claude-via-claude" in listed
    assert all("claude" in name for name in listed)


def test_a_pinned_model_goes_to_its_tier_with_the_tier_default_model(
    gateway: tuple[GatewayServer, FakeOpenAI], claude: FakeAnthropic
) -> None:
    server, local = gateway
    answer = post(f"{server.url}/v1/messages", message(model="claude-via-local", stream=True))
    assert (answer.status, answer.headers["x-switchex-tier"]) == (200, "local")
    assert local.model_requests()[0].json()["model"] == "qwen2.5-coder:7b"
    assert claude.model_requests() == []
    to_claude = post(f"{server.url}/v1/messages", message(model="claude-via-claude"))
    assert to_claude.headers["x-switchex-tier"] == "claude"
    assert claude.model_requests()[0].json()["model"] == "claude-sonnet-4-5"


def test_a_pinned_tier_that_fails_is_not_replaced_by_another(
    gateway: tuple[GatewayServer, FakeOpenAI], claude: FakeAnthropic
) -> None:
    server, local = gateway
    local.stop()
    answer = post(f"{server.url}/v1/messages", message(model="claude-via-local"))
    assert answer.status == 429 and "retry-after" in answer.headers
    assert claude.model_requests() == []
