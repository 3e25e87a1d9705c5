from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests.helpers import free_port


def demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchex", "demo", *args],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_demo_tells_the_whole_story_in_a_scratch_repository(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    done = demo(
        "--port",
        str(free_port()),
        "--repo",
        str(repo),
        "--reset",
        "1",
        "--exit",
        "--state-dir",
        str(tmp_path / "state"),
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "1. claude (claude-sonnet-4-5) answers with a tool call: Write notes.md" in out
    assert "2. Claude reports its usage limit; local (qwen2.5-coder:7b) takes over" in out
    assert "4. claude (claude-sonnet-4-5) is back" in out
    assert (repo / "notes.md").read_text().startswith("# Notes")
    assert "edited by the local model" in (repo / "README.md").read_text()
    log = out[out.index("$ switchex log") : out.index("$ switchex review")]
    lines = log.splitlines()
    assert any("claude-sonnet-4-5" in x and "notes.md" in x for x in lines), log
    assert any("qwen2.5-coder:7b" in x and "README.md" in x for x in lines), log
    review = out[out.index("$ switchex review") :]
    assert "qwen2.5-coder:7b" in review and "unknown" in review  # a local model's cost
    assert f"switchex review --rollback qwen2.5-coder:7b --repo {repo.resolve()}" in out
    assert "switchex stopped" in done.stderr


def test_demo_on_a_taken_port_gives_ups_hint(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = demo("--port", str(taken.getsockname()[1]), "--exit")
    assert done.returncode == 1
    assert "is already in use (is switchex already up?" in done.stderr
