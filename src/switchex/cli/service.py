"""`switchex service install | uninstall | status`: keep the gateway up as a user service."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

import click

from switchex import daemon
from switchex.cli.options import config_option, gateway_url, state_dir_option, url_option
from switchex.service import AGENT_LABEL, UNIT_NAME, service_file, service_path, up_command


def _system() -> str:
    return platform.system()


def _manager(system: str) -> str | None:
    return shutil.which("launchctl" if system == "Darwin" else "systemctl")


def _steps(system: str, action: str, path: Path) -> list[list[str]]:
    """The service manager's commands for `action` (install/uninstall)."""
    if system == "Darwin":
        domain = f"gui/{os.getuid()}"
        if action == "install":
            return [["launchctl", "bootstrap", domain, str(path)]]
        return [["launchctl", "bootout", f"{domain}/{AGENT_LABEL}"]]
    if action == "install":
        return [
            ["systemctl", "--user", "daemon-reload"],
            ["systemctl", "--user", "enable", "--now", UNIT_NAME],
        ]
    return [
        ["systemctl", "--user", "disable", "--now", UNIT_NAME],
        ["systemctl", "--user", "daemon-reload"],
    ]


def _run(steps: list[list[str]], manager: str | None) -> None:
    if manager is None:
        click.echo("no service manager found here; run:")
        for step in steps:
            click.echo("  " + " ".join(step))
        return
    for step in steps:
        done = subprocess.run([manager, *step[1:]], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise click.ClickException(
                f"`{' '.join(step)}` failed: {detail[-1] if detail else done.returncode}"
            )


@click.group("service")
def service() -> None:
    """Run the gateway as a user service (systemd on Linux, launchd on macOS)."""


def install_service(url: str, config: str | None, state_dir: Path) -> Path:
    """Write the unit/agent for `switchex up` on `url`'s port and enable it; its path."""
    system = _system()
    host, port = daemon.host_port(url)
    command = up_command(port, daemon.resolve_config(config), state_dir.absolute(), host)
    path = service_path(system, Path.home())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(service_file(system, command, state_dir.absolute() / daemon.LOG_FILE))
    click.echo(f"wrote {path}")
    running = daemon.live_record(state_dir)
    if running is not None and running.started_by != "service":
        click.echo(
            f"note: a {running.started_by} gateway (pid {running.pid}) serves now; "
            "stop it with `switchex down` so the service can bind its port"
        )
    _run(_steps(system, "install", path), _manager(system))
    return path


@service.command("install")
@config_option
@url_option
@state_dir_option
def service_install(config_path: str | None, url: str | None, state_dir: str | None) -> None:
    """Install and start the service: `switchex up` with this config, restarted on failure."""
    install_service(gateway_url(url), config_path, daemon.resolve_state_dir(state_dir))


@service.command("uninstall")
def service_uninstall() -> None:
    """Stop and remove the service file that `install` wrote."""
    uninstall_service()


def uninstall_service() -> None:
    system = _system()
    path = service_path(system, Path.home())
    if not path.exists():
        click.echo(f"{path}: not installed, nothing to remove")
        return
    _run(_steps(system, "uninstall", path), _manager(system))
    path.unlink()
    click.echo(f"removed {path}")


@service.command("status")
@state_dir_option
def service_status(state_dir: str | None) -> None:
    """Whether the service is installed and whether its gateway runs."""
    path = service_path(_system(), Path.home())
    click.echo(f"{path}: {'installed' if path.exists() else 'not installed'}")
    record = daemon.live_record(daemon.resolve_state_dir(state_dir))
    if record is None:
        click.echo("gateway: not running")
    else:
        click.echo(f"gateway: pid {record.pid} at {record.url}, {record.started_by}")
