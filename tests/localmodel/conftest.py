"""A real local model for the tests of this folder, started once per session.

In CI a missing model or server is a failure; elsewhere these tests skip, naming the command
that installs them (`scripts/local-model.sh`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.localmodel.server import LlamaServer, start_server, stop


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    server = start_server(tmp_path_factory.mktemp("llama") / "server.log")
    yield server
    stop(server)
