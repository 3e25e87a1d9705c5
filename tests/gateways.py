"""Finding and stopping the gateways that tests start detached (by pid, never by name)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
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


# A child process that holds an flock on argv[1] until its stdin closes.
HOLD_LOCK = (
    "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT);"
    "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()"
)


@contextlib.contextmanager
def gateway_state(tmp_path: Path) -> Iterator[Path]:
    """A state dir whose detached gateways are stopped afterwards."""
    path = tmp_path / "state"
    path.mkdir(exist_ok=True)
    try:
        yield path
    finally:
        stop_gateways(path)
