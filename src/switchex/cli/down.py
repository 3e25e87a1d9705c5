"""`switchex down`: stop the gateway recorded for this state dir."""

from __future__ import annotations

import os
import signal
import time

import click

from switchex import daemon
from switchex.cli.options import state_dir_option


def stop(pid: int, wait: float) -> bool:
    """SIGTERM (uvicorn's clean shutdown), then wait for the process to go."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not daemon.is_gateway(pid):  # a zombie child has no command line either
            return True
        time.sleep(0.05)
    return False


@click.command("down")
@state_dir_option
@click.option("--wait", default=10.0, show_default=True, help="Seconds to wait for it to stop.")
def down(state_dir: str | None, wait: float) -> None:
    """Stop the gateway started for this state dir (by its pid file), cleanly with SIGTERM.

    A gateway run as a service is left to its service manager (`switchex service`).
    """
    directory = daemon.resolve_state_dir(state_dir)
    record = daemon.read_pid(directory)
    if record is None:
        raise click.ClickException(f"no gateway recorded in {directory} (nothing to stop)")
    if not daemon.is_gateway(record.pid):
        daemon.remove_pid(directory, record.pid)
        click.echo(f"gateway pid {record.pid} is not running; removed its stale pid file")
        return
    if record.started_by == "service":
        raise click.ClickException(
            f"the gateway (pid {record.pid}) runs as a service: `switchex service uninstall`, "
            "or stop it with systemctl --user stop switchex / launchctl"
        )
    if not stop(record.pid, wait):
        raise click.ClickException(f"gateway pid {record.pid} still runs after {wait:g} s")
    daemon.remove_pid(directory, record.pid)
    click.echo(f"stopped the gateway at {record.url} (pid {record.pid}, {record.started_by})")
