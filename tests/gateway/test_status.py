"""`/status`: the tier that served last, every tier cooling, reasons that end with cooldowns."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from switchex.cli.main import cli
from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from tests.client import get, message, post
from tests.gateway.conftest import MakeGateway


def status(url: str) -> dict:  # type: ignore[type-arg]
    return json.loads(get(f"{url}/status").body)  # type: ignore[no-any-return]


def test_header_names_the_tier_that_served_last_and_when_all_cool(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude, claude2)
    claude.push(Reply(status=429, headers={"retry-after": "60"}))
    assert post(f"{gateway.url}/v1/messages", message()).status == 200
    claude2.push(Reply(status=529))
    assert post(f"{gateway.url}/v1/messages", message()).status == 429
    data = status(gateway.url)
    assert data["gateway"] == "up" and data["all_cooling"] is True
    assert data["last_served"]["tier"] == "t2"
    result = CliRunner().invoke(cli, ["status", "--url", gateway.url])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert "every tier is cooling" in first and "served last by t2" in first


def test_reason_clears_when_the_cooldown_ends(
    claude: FakeAnthropic, claude2: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude, claude2)
    claude.push(Reply(status=429, headers={"retry-after": "60"}))
    post(f"{gateway.url}/v1/messages", message())
    assert status(gateway.url)["tiers"][0]["reason"] == "rate_limit"
    gateway.gateway.router.states["t1"].cooling_until = time.time() - 1  # the cooldown ended
    tier = status(gateway.url)["tiers"][0]
    assert (tier["state"], tier["reason"], tier["until"]) == ("ready", None, None)


def test_status_json_of_a_running_gateway_is_json(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude)
    result = CliRunner().invoke(cli, ["status", "--json", "--url", gateway.url])
    data = json.loads(result.output)
    assert data["gateway"] == "up" and data["journal"].endswith("journal.sqlite3")


def test_context_window_comes_from_genai_prices_unless_configured(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude, models={"default": "claude-opus-4-5"})
    assert status(gateway.url)["tiers"][0]["context_window"] == 200_000
