from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.client import get, message, post
from tests.helpers import free_port

from switchex.fakes.anthropic import FakeAnthropic


def start(tmp_path: Path, port: int, config: str) -> subprocess.Popen[str]:
    path = tmp_path / "switchex.yaml"
    path.write_text(config)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "switchex",
            "up",
            "--config",
            str(path),
            "--port",
            str(port),
            "--state-dir",
            str(tmp_path / "state"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_health(port: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if get(f"http://127.0.0.1:{port}/health", timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gateway did not start")


def test_up_serves_logs_one_line_per_request_and_stops_on_ctrl_c(
    tmp_path: Path, claude: FakeAnthropic
) -> None:
    port = free_port()
    process = start(
        tmp_path,
        port,
        f"tiers:\n  - {{name: main, provider: anthropic, base_url: '{claude.base_url}'}}\n",
    )
    wait_health(port)
    assert post(f"http://127.0.0.1:{port}/v1/messages", message()).status == 200
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "chain: main" in output
    assert "200 main claude-sonnet-4-5 whole" in output
    assert "switchex stopped" in output
    state = tmp_path / "state"
    assert state.stat().st_mode & 0o777 == 0o700  # created private, with the hook secret
    assert (state / "hook-secret").stat().st_mode & 0o777 == 0o600
    assert (state / "journal.sqlite3").stat().st_mode & 0o777 == 0o600


def test_sigterm_is_a_clean_stop_with_the_journal_flushed(
    tmp_path: Path, claude: FakeAnthropic
) -> None:
    port = free_port()
    config = f"tiers:\n  - {{name: main, provider: anthropic, base_url: '{claude.base_url}'}}\n"
    process = start(tmp_path, port, config)
    wait_health(port)
    assert post(f"http://127.0.0.1:{port}/v1/messages", message()).status == 200
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "switchex stopped" in output
    connection = sqlite3.connect(tmp_path / "state" / "journal.sqlite3")
    assert connection.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == 1
    connection.close()


def test_up_says_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start(tmp_path, port, "tiers:\n  - {name: main, provider: anthropic}\n")
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in output


def test_up_refuses_a_chain_with_no_usable_tier(tmp_path: Path) -> None:
    process = start(
        tmp_path,
        free_port(),
        "tiers:\n  - {name: g, provider: gemini, api_key: '${NOPE}', models: {default: m}}\n",
    )
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 1
    assert "no tier of the chain is usable" in output


def test_up_beyond_loopback_needs_client_keys(tmp_path: Path) -> None:
    config = "tiers:\n  - {name: main, provider: anthropic}\nserver: {host: 0.0.0.0}\n"
    process = start(tmp_path, free_port(), config)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 1
    assert "server.keys" in output
