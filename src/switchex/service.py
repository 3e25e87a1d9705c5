"""The user service that keeps the gateway up: a systemd user unit or a launchd agent.

Pure file generation plus where each file lives; `switchex service` writes, enables and
removes exactly these files. Both restart the gateway only when it fails (a clean
`switchex down`-style stop is respected), and run it with `--started-by service` so the
pid file says how it was started.
"""

from __future__ import annotations

import plistlib
import shlex
import sys
from pathlib import Path

UNIT_NAME = "switchex.service"
AGENT_LABEL = "dev.switchex.gateway"


def up_command(
    port: int, config: str | None, state_dir: Path, host: str = "127.0.0.1"
) -> list[str]:
    """This installation's `switchex up` (the venv's script when present), as argv."""
    script = Path(sys.executable).parent / "switchex"
    head = [str(script)] if script.is_file() else [sys.executable, "-m", "switchex"]
    command = [*head, "up", "--host", host, "--port", str(port)]
    command += ["--state-dir", str(state_dir), "--started-by", "service"]
    return command + (["--config", config] if config else [])


def service_path(system: str, home: Path) -> Path:
    if system == "Darwin":
        return home / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"
    return home / ".config" / "systemd" / "user" / UNIT_NAME


def systemd_unit(command: list[str]) -> str:
    return (
        "[Unit]\n"
        "Description=switchex gateway for Claude Code\n"
        "After=network.target\n\n"
        "[Service]\n"
        f"ExecStart={shlex.join(command)}\n"
        "Restart=on-failure\n"
        "RestartSec=2\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def launchd_plist(command: list[str], log: Path) -> str:
    agent = {
        "Label": AGENT_LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "StandardOutPath": str(log),
        "StandardErrorPath": str(log),
    }
    return plistlib.dumps(agent).decode()


def service_file(system: str, command: list[str], log: Path) -> str:
    return launchd_plist(command, log) if system == "Darwin" else systemd_unit(command)
