from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from tests.helpers import GatewayServer, make_config, serve

MakeGateway = Callable[..., GatewayServer]


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[MakeGateway]:
    """Start a gateway over the given fakes: make_gateway(fake1, fake2, **tier_overrides).

    The fakes stand in for Anthropic's API, so their tiers get the client's credentials
    (`forward_client_credentials`, as api.anthropic.com would) unless overridden.
    """
    started: list[GatewayServer] = []

    def make(*fakes: FakeAnthropic, state: bool = True, **tier: Any) -> GatewayServer:
        tiers = [
            {
                "name": f"t{i + 1}",
                "provider": "anthropic",
                "base_url": fake.base_url,
                "forward_client_credentials": True,
                **tier,
            }
            for i, fake in enumerate(fakes)
        ]
        config = make_config(tiers, ping_interval=0.2)
        server = serve(config, tmp_path / "state" if state else None)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


StartTiers = Callable[..., GatewayServer]


@pytest.fixture
def start_tiers(tmp_path: Path) -> Iterator[StartTiers]:
    """Start a gateway over the given tier configs: start_tiers(tier1, tier2, ...)."""
    servers: list[GatewayServer] = []

    def run(*tiers: dict[str, Any]) -> GatewayServer:
        servers.append(serve(make_config(list(tiers)), tmp_path / "state"))
        return servers[-1]

    yield run
    for server in servers:
        server.stop()
