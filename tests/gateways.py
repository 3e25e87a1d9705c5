"""Finding and stopping the gateways that tests start detached (by pid, never by name)."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path

import psutil


def gateways_for(state_dir: Path) -> list[psutil.Process]:
    """Live `switchex up` processes serving `state_dir` (whatever their pid file says)."""
    wanted = str(state_dir.absolute())
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if "up" in cmdline and "switchex" in " ".join(cmdline) and wanted in cmdline:
            found.append(process)
    return found


def stop_gateways(state_dir: Path) -> None:
    processes = gateways_for(state_dir)
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(processes, timeout=10)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
