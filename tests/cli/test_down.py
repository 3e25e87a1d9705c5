"""`switchex up --detach`, `switchex status` (how it was started) and `switchex down`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.gateways import gateways_for, stop_gateways
from tests.helpers import free_port

from switchex import daemon
from switchex.fakes.anthropic import FakeAnthropic


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "state"
    yield path
    stop_gateways(path)


def switchex(*args: str, url: str = "") -> subprocess.CompletedProcess[str]:
    env_url = ["env", f"SWITCHEX_URL={url}"] if url else []
    return subprocess.run(
        [*env_url, sys.executable, "-m", "switchex", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_detach_status_and_down(state: Path, tmp_path: Path, claude: FakeAnthropic) -> None:
    config = tmp_path / "switchex.yaml"
    tier = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
    config.write_text(json.dumps({"tiers": [tier]}))
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    started = switchex("up", "--detach", "--port", str(port), "--config", str(config))
    assert started.returncode == 0, started.stderr
    assert f"switchex on {url}" in started.stdout and "switchex down" in started.stdout
    [gateway] = gateways_for(state)
    assert daemon.healthy(url)

    shown = switchex("status", url=url)
    assert f"started in the background (switchex up --detach), pid {gateway.pid}" in shown.stdout

    again = switchex("up", "--detach", "--port", str(port), "--config", str(config))
    assert again.returncode != 0 and "already in use" in again.stderr

    stopped = switchex("down")
    assert stopped.returncode == 0, stopped.stderr
    assert f"stopped the gateway at {url} (pid {gateway.pid}, detached)" in stopped.stdout
    assert gateways_for(state) == [] and not daemon.healthy(url)
    assert not (state / daemon.PID_FILE).exists()
    assert "switchex on " + url in (state / daemon.LOG_FILE).read_text()


def test_down_with_nothing_recorded(state: Path) -> None:
    done = switchex("down")
    assert done.returncode == 1 and "nothing to stop" in done.stderr


def test_down_leaves_a_service_to_its_manager(state: Path) -> None:
    state.mkdir()
    with subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "switchex", "up"]
    ) as p:
        daemon.write_pid(state, daemon.PidRecord(p.pid, "http://127.0.0.1:9", "service", None, 0))
        done = switchex("down")
        assert done.returncode == 1 and "runs as a service" in done.stderr
        assert p.poll() is None
        p.kill()
