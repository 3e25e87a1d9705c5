"""Issue: review each model's work — snapshots made by real Claude Code through the gateway."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from tests.e2e.conftest import claude_then_backup, run_claude, tool, user_state, wait_for_snapshots

pytestmark = pytest.mark.e2e
ORIGINAL = "".join(f"value_{n} = {n}\n" for n in range(1, 11))


def review(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["switchex", "review", "--repo", str(repo), *args], capture_output=True, text=True, env=None
    )


def test_rollback_of_the_fallback_model_keeps_claude_and_the_human(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, claude2: FakeAnthropic
) -> None:
    calc = repo / "calc.py"
    claude.push(
        tool("Write", file_path=str(calc), content=ORIGINAL),
        Reply(status=429, headers={"retry-after": "600"}),
    )
    claude2.push(
        tool("Write", file_path=str(repo / "extra.py"), content="print('extra')\n"),
        tool("Read", file_path=str(calc)),
        tool(
            "Edit",
            file_path=str(calc),
            old_string="value_2 = 2\n",
            new_string="value_2 = 22  # backup's idea\n",
        ),
        Reply(text="done"),
    )
    config = claude_then_backup(claude.base_url, claude2.base_url)
    gateway = gateway_factory(config, "--repo", str(repo))  # tracking only where enabled
    run = run_claude(repo, gateway.url, "write calc.py")
    assert run.returncode == 0, run.stderr
    assert len(wait_for_snapshots(repo, 3)) == 3  # claude, backup's new file, backup's edit
    calc.write_text(calc.read_text().replace("value_9 = 9\n", "value_9 = 99  # human\n"))
    before = user_state(repo)

    analysis = json.loads(review(repo, "--json").stdout)
    pending = {m["model"]: m["pending"]["segments"] for m in analysis["models"]}
    assert pending["claude-opus-5-5"] >= 1 and pending["backup-model-1"] >= 1

    dry = review(repo, "--rollback", "backup", "--dry-run")
    assert dry.returncode == 0 and (repo / "extra.py").exists()

    done = review(repo, "--rollback", "backup")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (repo / "extra.py").exists()
    expected = ORIGINAL.replace("value_9 = 9\n", "value_9 = 99  # human\n")
    assert calc.read_text() == expected
    assert user_state(repo) == before

    undone = review(repo, "--undo")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert (repo / "extra.py").read_text() == "print('extra')\n"
    assert "value_2 = 22  # backup's idea" in calc.read_text()
    assert "value_9 = 99  # human" in calc.read_text()
    assert user_state(repo) == before
