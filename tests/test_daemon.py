from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from switchex import daemon
from switchex.cli.main import cli
from tests.gateways import HOLD_LOCK, gateway_state


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    with gateway_state(tmp_path) as path:
        yield path


def test_start_lock_waits_for_another_process_and_is_free_when_it_goes(state: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(state / daemon.LOCK_FILE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    with daemon.start_lock(state, 0.2) as locked:
        assert locked is False
    holder.communicate("")
    with daemon.start_lock(state, 0.2) as locked:
        assert locked is True


def test_a_pid_file_of_an_exited_process_is_stale_and_down_removes_it(state: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout
    daemon.write_pid(state, daemon.PidRecord(int(gone), "http://127.0.0.1:9", "detached", None, 0))
    assert daemon.live_record(state) is None
    result = CliRunner().invoke(cli, ["down", "--state-dir", str(state)])
    assert result.exit_code == 0 and "stale pid file" in result.output
    assert not (state / daemon.PID_FILE).exists()


def test_down_never_signals_a_stranger_that_reused_the_pid(state: Path) -> None:
    stranger = subprocess.Popen(["sleep", "30"])
    try:
        record = daemon.PidRecord(stranger.pid, "http://127.0.0.1:9", "auto-started", None, 0)
        daemon.write_pid(state, record)
        result = CliRunner().invoke(cli, ["down", "--state-dir", str(state)])
        assert result.exit_code == 0 and "stale pid file" in result.output
        assert stranger.poll() is None  # still running
    finally:
        stranger.kill()
        stranger.wait()
