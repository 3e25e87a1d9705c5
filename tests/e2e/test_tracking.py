"""Issue: every change recorded in git with the model that made it — real Claude Code, hooks on."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from tests.e2e.conftest import (
    claude_then_backup,
    git,
    rate_limited,
    run_claude,
    tool,
    user_state,
    wait_for_snapshots,
)

pytestmark = pytest.mark.e2e
CHAIN = "refs/switchex/snapshots/main"


def blame_models(repo: Path, path: str) -> list[tuple[str, str]]:
    """(model, line) for each line of `path` at the chain head, from the commits' trailers."""
    porcelain = git(repo, "blame", "--line-porcelain", CHAIN, "--", path)
    lines: list[tuple[str, str]] = []
    commit = ""
    for row in porcelain.splitlines():
        if row and not row.startswith("\t") and len(row.split()[0]) == 40:
            commit = row.split()[0]
        elif row.startswith("\t"):
            trailers = git(
                repo, "log", "-1", "--format=%(trailers:key=Switchex-Model,valueonly)", commit
            ).strip()
            lines.append((trailers or "user-commit", row[1:]))
    return lines


def test_each_line_is_attributed_to_the_model_or_human_that_wrote_it(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, claude2: FakeAnthropic
) -> None:
    (repo / "notes.txt").write_text("one\n")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-qm", "notes")
    (repo / "notes.txt").write_text("one\ntwo (stashed)\n")
    git(repo, "stash", "-q")
    (repo / "notes.txt").write_text("one\nstaged line\n")
    git(repo, "add", "notes.txt")
    (repo / "notes.txt").write_text("one\nstaged line\nunstaged line\n")

    a_py = repo / "a.py"
    claude.push(
        tool("Write", file_path=str(a_py), content="def one():\n    return 1\n"),
        rate_limited(int(time.time()) + 600),
    )
    claude2.push(
        tool("Write", file_path=str(repo / "b.py"), content="def two():\n    return 2\n"),
        tool("Read", file_path=str(a_py)),
        tool(
            "Edit",
            file_path=str(a_py),
            old_string="    return 1\n",
            new_string="    return 1\n\n\ndef uno():\n    return one()\n",
        ),
        Reply(text="a.py and b.py done"),
        Reply(text="nothing more to do"),
    )
    gateway = gateway_factory(claude_then_backup(claude.base_url, claude2.base_url))
    subprocess.run(
        ["switchex", "init", "--repo", str(repo), "--url", gateway.url],
        check=True,
        capture_output=True,
    )
    before = user_state(repo)

    first = run_claude(repo, gateway.url, "write a.py and b.py")
    assert first.returncode == 0, first.stderr
    wait_for_snapshots(repo, 4)
    with a_py.open("a") as handle:
        handle.write("# reviewed by a human\n")
    # Same session: without the UserPromptSubmit hook, this edit would be blamed on the
    # session's last tool-using model.
    second = run_claude(repo, gateway.url, "anything else?", resume=first.result["session_id"])
    assert second.returncode == 0, second.stderr
    entries = wait_for_snapshots(repo, 5)

    assert blame_models(repo, "a.py") == [
        ("claude-opus-5-5", "def one():"),
        ("claude-opus-5-5", "    return 1"),
        ("backup-model-1", ""),
        ("backup-model-1", ""),
        ("backup-model-1", "def uno():"),
        ("backup-model-1", "    return one()"),
        ("human", "# reviewed by a human"),
    ]
    assert {model for model, _ in blame_models(repo, "b.py")} == {"backup-model-1"}
    kinds = [(e["model"], e["tier"], e["kind"]) for e in reversed(entries)]
    assert kinds[0] == ("human", "human", "baseline")
    assert ("claude-opus-5-5", "claude", "ai") in kinds
    assert ("backup-model-1", "backup", "ai") in kinds
    assert kinds[-1] == ("human", "human", "human")
    assert user_state(repo) == before
    assert (repo / "notes.txt").read_text() == "one\nstaged line\nunstaged line\n"
    assert git(repo, "fsck", "--no-progress").strip() == ""
