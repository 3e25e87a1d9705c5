"""Issue: a rate-limited subscription keeps the same Claude model on the user's AWS account —
the real Claude Code CLI, a strict FakeAnthropic and a strict FakeBedrock that verifies SigV4
signatures with botocore and streams real event-stream frames."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.bedrock import FakeBedrock
from tests.e2e.conftest import assert_serving_while_claude_cools, rate_limited, run_claude
from tests.providers.bedrock.conftest import ACCESS_KEY, SECRET_KEY, aws_env

pytestmark = pytest.mark.e2e

SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
SAME_MODEL = {"ANTHROPIC_MODEL": "claude-sonnet-4-5"}


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeBedrock]:
    aws_env(monkeypatch, tmp_path)  # the gateway process inherits static AWS credentials
    with FakeBedrock(region="us-west-2", access_key=ACCESS_KEY, secret_key=SECRET_KEY) as fake:
        yield fake  # type: ignore[misc]


def write(path: Path, content: str) -> Reply:
    return Reply(tool_calls=[ToolCall("Write", {"file_path": str(path), "content": content})])


def test_subscription_limited_session_continues_on_bedrock_and_comes_back(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, bedrock: FakeBedrock
) -> None:
    reset = int(time.time()) + 8
    claude.push(write(repo / "a.txt", "from claude\n"), rate_limited(reset))
    bedrock.push(write(repo / "b.txt", "from bedrock\n"), Reply(text="both written"))
    gateway = gateway_factory(
        {
            "tiers": [
                {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
                {
                    "name": "bedrock",
                    "provider": "bedrock",
                    "region": "us-west-2",
                    "base_url": bedrock.base_url,
                },
            ]
        }
    )

    run = run_claude(repo, gateway.url, "write a.txt and b.txt", env=SAME_MODEL)

    assert run.returncode == 0, run.stderr
    assert run.result["result"] == "both written"
    assert (repo / "a.txt").read_text() == "from claude\n"
    assert (repo / "b.txt").read_text() == "from bedrock\n"
    served = bedrock.model_requests()
    assert [r.path for r in served] == [f"/model/{SONNET}/invoke-with-response-stream"] * 2
    continued = served[0].json()["messages"]
    assert any(  # Bedrock got the session as Claude left it: Claude's tool_use, its result
        block.get("type") == "tool_result"
        for message in continued
        if isinstance(message["content"], list)
        for block in message["content"]
    )
    assert (
        served[0].headers["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    )
    assert_serving_while_claude_cools(gateway, "bedrock", reset)

    time.sleep(max(0.0, reset - time.time()) + 0.2)
    claude.push(Reply(text="claude is back"))
    again = run_claude(
        repo, gateway.url, "are you back?", env=SAME_MODEL, resume=run.result["session_id"]
    )

    assert again.returncode == 0, again.stderr
    assert again.result["result"] == "claude is back"
    assert gateway.status()["active"] == "claude"
    rows = gateway.journal("SELECT tier, status FROM requests WHERE status = 200 ORDER BY id", 4)
    assert [tier for tier, _ in rows] == ["claude", "bedrock", "bedrock", "claude"]
