from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchex import autostart, daemon
from switchex.fakes.anthropic import FakeAnthropic
from tests.gateways import HOLD_LOCK, gateway_state, gateways_for
from tests.helpers import free_port


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    with gateway_state(tmp_path) as path:
        yield path


def test_a_gateway_that_cannot_start_is_explained_in_one_line(state: Path, tmp_path: Path) -> None:
    bad = tmp_path / "switchex.yaml"
    bad.write_text("tiers: [{name: x, provider: nonsense}]\n")
    url = f"http://127.0.0.1:{free_port()}"
    outcome = autostart.ensure_up(url, str(bad), state, "auto-started")
    assert outcome.problem is not None and "\n" not in outcome.problem
    assert "provider" in outcome.problem  # the config error itself, from the log
    assert f"switchex up --port {url.rsplit(':', 1)[1]} --config {bad}" in outcome.problem
    assert str(state / daemon.LOG_FILE) in outcome.problem


def test_a_port_held_by_another_program_is_not_fought_over(state: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        url = f"http://127.0.0.1:{squatter.getsockname()[1]}"
        outcome = autostart.ensure_up(url, None, state, "auto-started", wait=0.5)
    assert outcome.problem is not None and "taken by another program" in outcome.problem
    assert gateways_for(state) == []


def test_concurrent_session_starts_launch_exactly_one_gateway(
    state: Path, tmp_path: Path, claude: FakeAnthropic
) -> None:
    config = tmp_path / "switchex.yaml"
    config.write_text(
        json.dumps(
            {"tiers": [{"name": "claude", "provider": "anthropic", "base_url": claude.base_url}]}
        )
    )
    url = f"http://127.0.0.1:{free_port()}"
    event = json.dumps({"hook_event_name": "SessionStart", "session_id": "s", "cwd": "/"})
    hooks = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "switchex",
                "hook",
                "--url",
                url,
                "--config",
                str(config),
                "--state-dir",
                str(state),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [hook.communicate(event, timeout=20)[0] for hook in hooks]
    assert outputs == [""] * 4 and all(hook.returncode == 0 for hook in hooks)
    [gateway] = gateways_for(state)
    record = daemon.live_record(state)
    assert record is not None and (record.pid, record.url) == (gateway.pid, url)
    assert record.started_by == "auto-started" and record.config == str(config)
    assert daemon.healthy(url)


def test_a_start_held_up_by_another_says_so_and_starts_nothing(state: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(state / daemon.LOCK_FILE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    try:
        url = f"http://127.0.0.1:{free_port()}"
        outcome = autostart.ensure_up(url, None, state, "auto-started", wait=0.3)
    finally:
        holder.communicate("")
    assert outcome.problem is not None and "another start" in outcome.problem
    assert gateways_for(state) == []
