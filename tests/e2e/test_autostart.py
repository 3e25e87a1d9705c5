"""Issue: Claude Code never hangs because the gateway is down — real Claude Code CLI.

No test here starts a gateway itself: the SessionStart hook written by `switchex init`, or
`switchex claude`, must. Every gateway started is stopped in teardown (by pid).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from switchex import daemon
from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from tests.e2e.conftest import claude_binary, run_claude
from tests.gateways import gateways_for, stop_gateways
from tests.helpers import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def state() -> Iterator[Path]:
    path = Path(os.environ["SWITCHEX_STATE_DIR"])
    yield path
    stop_gateways(path)


@pytest.fixture
def config(tmp_path: Path, claude: FakeAnthropic) -> Path:
    path = tmp_path / "switchex.yaml"
    tier = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
    path.write_text(yaml.safe_dump({"tiers": [tier]}))
    return path


def switchex(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchex", *args],
        capture_output=True,
        text=True,
        timeout=150,
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
    )


def init(repo: Path, url: str, config: Path) -> None:
    done = switchex("init", "--repo", str(repo), "--url", url, "--config", str(config))
    assert done.returncode == 0, done.stderr


def test_session_start_auto_starts_the_gateway_and_claude_gets_its_answer(
    repo: Path, state: Path, config: Path, claude: FakeAnthropic
) -> None:
    claude.default = Reply(text="answered through the auto-started gateway")
    url = f"http://127.0.0.1:{free_port()}"
    init(repo, url, config)
    assert not daemon.healthy(url)

    run = run_claude(repo, url, "hello")

    assert run.returncode == 0, run.stderr
    assert run.result["result"] == "answered through the auto-started gateway"
    [gateway] = gateways_for(state)
    record = daemon.live_record(state)
    assert record is not None and record.pid == gateway.pid
    assert (record.url, record.started_by, record.config) == (url, "auto-started", str(config))
    assert "switchex on " + url in (state / daemon.LOG_FILE).read_text()


def test_two_sessions_at_once_start_one_gateway_and_down_stops_it(
    repo: Path, state: Path, config: Path, claude: FakeAnthropic
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    init(repo, url, config)

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda prompt: run_claude(repo, url, prompt), ["one", "two"]))

    assert [run.returncode for run in runs] == [0, 0], [run.stderr for run in runs]
    assert [run.result["result"] for run in runs] == ["ok", "ok"]
    assert len(gateways_for(state)) == 1
    stopped = switchex("down")
    assert stopped.returncode == 0, stopped.stderr
    assert gateways_for(state) == [] and not daemon.healthy(url)


def test_switchex_claude_runs_claude_through_the_gateway_without_settings(
    repo: Path, state: Path, config: Path, claude: FakeAnthropic
) -> None:
    claude.default = Reply(text="served by switchex")
    url = f"http://127.0.0.1:{free_port()}"
    assert not (repo / ".claude").exists() and not (Path.home() / ".claude").exists()
    env = {
        "SWITCHEX_URL": url,
        "SWITCHEX_CONFIG": str(config),
        "SWITCHEX_CLAUDE": claude_binary(),
        "ANTHROPIC_API_KEY": "test-key",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
    }
    prompt = ["-p", "hi", "--allowedTools", "Write", "Edit", "Bash", "Read"]
    done = switchex("claude", *prompt, "--output-format", "json", cwd=repo, **env)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["result"] == "served by switchex"
    assert claude.model_requests  # it went through the gateway to the configured tier
    record = daemon.live_record(state)
    assert record is not None and record.url == url
    assert not (repo / ".claude").exists()

    bad = switchex("claude", "--no-such-option", cwd=repo, **env)
    direct = subprocess.run(
        [claude_binary(), "--no-such-option"], capture_output=True, cwd=repo, timeout=60
    )
    assert bad.returncode == direct.returncode != 0
