"""`switchex service` and `init --service`, with HOME in a temp dir and a recording systemctl."""

from __future__ import annotations

import plistlib
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from switchex.cli import service as service_cli
from switchex.cli.main import cli

UNIT = Path(".config/systemd/user/switchex.service")


@pytest.fixture
def systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `systemctl` first on PATH that records its arguments (the real one is never run)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "systemctl-calls"
    script = bin_dir / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(service_cli, "_system", lambda: "Linux")
    return calls


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_install_writes_a_user_unit_and_enables_it(tmp_path: Path, systemctl: Path) -> None:
    config = tmp_path / "switchex.yaml"
    config.write_text("tiers: []\n")
    invoke("service", "install", "--config", str(config), "--url", "http://127.0.0.1:8123")
    unit = (Path.home() / UNIT).read_text()
    [exec_start] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    command = shlex.split(exec_start.removeprefix("ExecStart="))
    assert Path(command[0]) == Path(sys.executable).parent / "switchex"
    assert command[1:] == [
        "up", "--host", "127.0.0.1", "--port", "8123", "--state-dir", str(tmp_path / "state"),
        "--started-by", "service", "--config", str(config),
    ]  # fmt: skip
    assert "Restart=on-failure" in unit and "WantedBy=default.target" in unit
    assert systemctl.read_text().splitlines() == [
        "--user daemon-reload",
        "--user enable --now switchex.service",
    ]


def test_uninstall_removes_exactly_the_unit(systemctl: Path) -> None:
    neighbour = Path.home() / UNIT.parent / "other.service"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text("[Service]\n")
    invoke("service", "install")
    before = sorted(p for p in Path.home().rglob("*"))
    assert f"{Path.home() / UNIT}: installed" in invoke("service", "status")
    invoke("service", "uninstall")
    after = sorted(p for p in Path.home().rglob("*"))
    assert set(before) - set(after) == {Path.home() / UNIT}
    assert neighbour.exists()
    assert systemctl.read_text().splitlines()[-2:] == [
        "--user disable --now switchex.service",
        "--user daemon-reload",
    ]
    assert "not installed" in invoke("service", "uninstall")


def test_without_systemctl_it_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(service_cli, "_system", lambda: "Linux")
    output = invoke("service", "install")
    assert "systemctl --user enable --now switchex.service" in output
    assert (Path.home() / UNIT).is_file()


def test_macos_gets_a_launch_agent_restarted_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(service_cli, "_system", lambda: "Darwin")
    output = invoke("service", "install", "--url", "http://127.0.0.1:8124")
    path = Path.home() / "Library/LaunchAgents/dev.switchex.gateway.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "dev.switchex.gateway" and agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["ProgramArguments"][1:6] == ["up", "--host", "127.0.0.1", "--port", "8124"]
    assert "launchctl bootstrap" in output
    invoke("service", "uninstall")
    assert not path.exists()


def test_init_service_writes_settings_and_the_unit(tmp_path: Path, systemctl: Path) -> None:
    invoke("init", "--repo", str(tmp_path), "--service")
    assert (tmp_path / ".claude" / "settings.local.json").is_file()
    assert (Path.home() / UNIT).is_file()
    invoke("init", "--repo", str(tmp_path), "--service", "--uninstall")
    assert not (Path.home() / UNIT).exists()
