"""Issue: Claude Code keeps working through the chain — with the real Claude Code CLI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from tests.e2e.conftest import assert_serving_while_claude_cools, rate_limited, run_claude

pytestmark = pytest.mark.e2e


def write(path: Path, content: str) -> Reply:
    return Reply(tool_calls=[ToolCall("Write", {"file_path": str(path), "content": content})])


def test_rate_limited_claude_hands_over_and_takes_back(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, claude2: FakeAnthropic
) -> None:
    reset = int(time.time()) + 8
    claude.push(
        write(repo / "a.txt", "from the first tier\n"),
        rate_limited(reset),
    )
    claude2.push(write(repo / "b.txt", "from the second tier\n"), Reply(text="both files written"))
    gateway = gateway_factory(
        {
            "tiers": [
                {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
                {"name": "backup", "provider": "anthropic", "base_url": claude2.base_url},
            ]
        }
    )

    run = run_claude(repo, gateway.url, "write a.txt and b.txt")

    assert run.returncode == 0, run.stderr
    assert run.result["result"] == "both files written"
    assert (repo / "a.txt").read_text() == "from the first tier\n"
    assert (repo / "b.txt").read_text() == "from the second tier\n"
    first_tier_times = [r.time for r in claude.model_requests()]
    assert len(first_tier_times) == 2  # the tool_use answer and the 429; nothing while cooling
    assert len(claude2.model_requests()) == 2
    assert_serving_while_claude_cools(gateway, "backup", reset)

    time.sleep(max(0.0, reset - time.time()) + 0.2)
    claude.push(Reply(text="claude is back"))
    again = run_claude(repo, gateway.url, "are you back?")

    assert again.result["result"] == "claude is back"
    assert len(claude.model_requests()) == 3
    assert gateway.status()["active"] == "claude"
    assert gateway.journal("SELECT to_tier, reason FROM switches ORDER BY id", 2)[-1] == (
        "claude",
        "recovered",
    )
    served = gateway.journal("SELECT tier, status FROM requests ORDER BY id", at_least=4)
    assert served == [("claude", 200), ("backup", 200), ("backup", 200), ("claude", 200)]
