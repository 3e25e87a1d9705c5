"""The real Claude Code CLI against a real `switchex up` process and fake providers.

The CLI comes from npm (`npm install --prefix tests/e2e`, part of the README's test command).
These tests never skip: a missing CLI is a failure with the command that fixes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from switchex.fakes.base import Reply, ToolCall
from tests.client import get
from tests.helpers import free_port

HERE = Path(__file__).parent


def claude_binary() -> str:
    local = HERE / "node_modules" / ".bin" / "claude"
    found = os.environ.get("SWITCHEX_CLAUDE_BIN") or (str(local) if local.exists() else None)
    found = found or shutil.which("claude")
    if not found:
        pytest.fail("Claude Code CLI not found: run `npm install --prefix tests/e2e`")
    return found


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def make_project(tmp_path: Path) -> Path:
    """A git repository with one commit (README.md) on `main`."""
    path = tmp_path / "project"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("# project\n")
    git(path, "add", "README.md")
    git(path, "commit", "-qm", "initial")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@dataclass
class Gateway:
    url: str
    state_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def status(self) -> dict[str, Any]:
        data: dict[str, Any] = get(f"{self.url}/status").json()
        return data

    def journal(self, sql: str, at_least: int = 1) -> list[tuple[Any, ...]]:
        """Rows of a query, waiting briefly: the journal writes a moment after each answer."""
        import sqlite3

        deadline = time.monotonic() + 5
        while True:
            connection = sqlite3.connect(self.state_dir / "journal.sqlite3")
            try:
                rows = connection.execute(sql).fetchall()
            finally:
                connection.close()
            if len(rows) >= at_least or time.monotonic() > deadline:
                return rows
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text()


def start_gateway(tmp_path: Path, config: dict[str, Any], *extra: str) -> Gateway:
    config_path = tmp_path / "switchex.yaml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    state = tmp_path / "state"
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "switchex",
                "up",
                "--config",
                str(config_path),
                "--port",
                str(port),
                "--state-dir",
                str(state),
                *extra,
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if get(f"{url}/health", timeout=1).status == 200:
                return Gateway(url, state, process, log_path)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"gateway did not start:\n{log_path.read_text()}")


@pytest.fixture
def gateway_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[Gateway] = []

    def make(config: dict[str, Any], *extra: str) -> Gateway:
        gateway = start_gateway(tmp_path, config, *extra)
        started.append(gateway)
        return gateway

    yield make
    for gateway in started:
        gateway.process.terminate()
        try:
            gateway.process.wait(10)
        except subprocess.TimeoutExpired:
            gateway.process.kill()


@dataclass
class ClaudeRun:
    returncode: int
    result: dict[str, Any]
    stderr: str


def run_claude(
    repo: Path,
    url: str,
    prompt: str,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    resume: str | None = None,
) -> ClaudeRun:
    """`claude -p` in `repo`, pointed at the gateway; returns its JSON result."""
    command = [
        claude_binary(),
        "-p",
        prompt,
        "--allowedTools",
        "Write",
        "Edit",
        "Bash",
        "Read",
        "--output-format",
        "json",
    ]
    if resume:
        command += ["--resume", resume]
    full_env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_API_KEY": "test-key",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_MAX_RETRIES": "2",
        **(env or {}),
    }
    done = subprocess.run(
        command,
        cwd=repo,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    except json.JSONDecodeError:
        result = {"raw": done.stdout}
    return ClaudeRun(done.returncode, result, done.stderr)


def tool(name: str, **args: Any) -> Reply:
    return Reply(tool_calls=[ToolCall(name, args)])


def user_state(repo: Path) -> dict[str, str]:
    """What must never change: HEAD, branch, index, stash, hooks, config."""
    return {
        "head": git(repo, "rev-parse", "HEAD"),
        "branch": git(repo, "symbolic-ref", "HEAD"),
        "index": hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest(),
        "stash": git(repo, "stash", "list"),
        "staged": git(repo, "diff", "--cached"),
        "config": (repo / ".git" / "config").read_text(),
        "hooks": " ".join(sorted(p.name for p in (repo / ".git" / "hooks").iterdir())),
    }


def wait_for_snapshots(repo: Path, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while True:
        out = subprocess.run(
            ["switchex", "log", "--json", "--repo", str(repo)], capture_output=True, text=True
        ).stdout
        entries: list[dict[str, Any]] = json.loads(out or "[]")
        if len(entries) >= count or time.monotonic() > deadline:
            return entries
        time.sleep(0.2)


def assert_serving_while_claude_cools(gateway: Gateway, tier: str, reset: int) -> None:
    """`tier` serves, the first tier (claude) cools until its reset, one switch journaled."""
    status = gateway.status()
    assert status["active"] == tier
    assert status["tiers"][0]["state"] == "cooling" and status["tiers"][0]["until"] == reset
    assert gateway.journal("SELECT from_tier, to_tier, reason, until FROM switches") == [
        ("claude", tier, "rate_limit", reset)
    ]


def rate_limited(reset: int) -> Reply:
    """A Pro/Max subscription's "usage limit reached": rejected until `reset` (epoch s)."""
    return Reply(
        status=429,
        headers={
            "anthropic-ratelimit-unified-status": "rejected",
            "anthropic-ratelimit-unified-reset": str(reset),
        },
    )


def claude_then_backup(claude_url: str, backup_url: str) -> dict[str, Any]:
    """Two anthropic-kind tiers; the backup serves under another model name."""
    return {
        "tiers": [
            {"name": "claude", "provider": "anthropic", "base_url": claude_url},
            {
                "name": "backup",
                "provider": "anthropic",
                "base_url": backup_url,
                "models": {"default": "backup-model-1"},
            },
        ]
    }
