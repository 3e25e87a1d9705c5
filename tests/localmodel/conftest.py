"""A real local model for the tests of this folder, started once per session.

In CI a missing model or server is a failure; elsewhere these tests skip, naming the command
that installs them (`scripts/local-model.sh`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import GatewayServer, make_config, serve
from tests.localmodel.server import LlamaServer, local_tier, start_server, stop


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    server = start_server(tmp_path_factory.mktemp("llama") / "server.log")
    yield server
    stop(server)


@pytest.fixture(scope="module")
def gateway(
    llama_server: LlamaServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayServer]:
    """An in-process gateway whose only tier is the model."""
    config = make_config([local_tier(llama_server)], ping_interval=1.0)
    server = serve(config, tmp_path_factory.mktemp("state"))
    yield server
    server.stop()
