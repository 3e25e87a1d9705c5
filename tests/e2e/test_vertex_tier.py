"""Issue: a rate-limited subscription keeps the same Claude model on Vertex AI — the real Claude
Code CLI, a `switchex up` process finding Application Default Credentials (a service-account
key whose token endpoint is the fake's), and a strict FakeVertex."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.vertex import FakeVertex
from tests.e2e.conftest import assert_serving_while_claude_cools, rate_limited, run_claude
from tests.providers.vertex.conftest import service_account_file

pytestmark = pytest.mark.e2e


@pytest.fixture
def vertex(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeVertex]:
    with FakeVertex(region="us-east5") as fake:
        adc = service_account_file(tmp_path / "adc.json", fake.token_uri)
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))  # inherited by the gateway
        yield fake  # type: ignore[misc]


def test_subscription_limited_session_continues_on_vertex(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, vertex: FakeVertex
) -> None:
    reset = int(time.time()) + 60
    target = repo / "v.txt"
    claude.push(rate_limited(reset))
    vertex.push(
        Reply(tool_calls=[ToolCall("Write", {"file_path": str(target), "content": "vertex\n"})]),
        Reply(text="written on vertex"),
    )
    gateway = gateway_factory(
        {
            "tiers": [
                {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
                {
                    "name": "vertex",
                    "provider": "vertex",
                    "project": vertex.project,
                    "region": vertex.region,
                    "base_url": vertex.base_url,
                },
            ]
        }
    )

    run = run_claude(repo, gateway.url, "write v.txt", env={"ANTHROPIC_MODEL": "claude-sonnet-4-5"})

    assert run.returncode == 0, run.stderr
    assert run.result["result"] == "written on vertex"
    assert target.read_text() == "vertex\n"
    paths = [r.path for r in vertex.model_requests()]
    assert (
        paths
        == [
            "/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/"
            "claude-sonnet-4-5@20250929:streamRawPredict"
        ]
        * 2
    )
    assert vertex.token_requests == 1  # one token, reused for the second request
    assert_serving_while_claude_cools(gateway, "vertex", reset)
