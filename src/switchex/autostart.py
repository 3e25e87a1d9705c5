"""Making sure a gateway answers: the one start path of SessionStart, `up --detach` and `claude`.

Standard library only (the SessionStart hook imports it when the gateway is down). A start
happens under the state dir's lock, after re-checking /health and the pid file, so sessions
started together launch exactly one gateway; every failure is one line saying why and what
to run by hand.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from switchex.daemon import (
    LOG_FILE,
    gateway_command,
    healthy,
    host_port,
    is_gateway,
    is_local,
    live_record,
    spawn,
    start_lock,
)


def exited(pid: int) -> bool:
    """Whether our child `pid` has exited (reaping it)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return not is_gateway(pid)
    return done == pid


def wait_healthy(url: str, seconds: float, pid: int | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if healthy(url, 0.25):
            return True
        if pid is not None and exited(pid):
            return False
        time.sleep(0.03)
    return healthy(url, 0.25)


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Outcome:
    """What `ensure_up` did: `problem` is one line for the user, None when the gateway answers."""

    __slots__ = ("pid", "problem")

    def __init__(self, problem: str | None, pid: int | None = None) -> None:
        self.problem, self.pid = problem, pid


def ensure_up(
    url: str,
    config: str | None,
    state_dir: Path,
    started_by: str,
    wait: float = 3.0,
    extra: tuple[str, ...] = (),
) -> Outcome:
    """Make `url` answer /health, starting one detached gateway for `state_dir` if needed."""
    if healthy(url):
        return Outcome(None)
    if not is_local(url):
        return Outcome(f"switchex: nothing answers at {url}, and it is not a local address")
    with start_lock(state_dir, wait + 1.0) as locked:
        if not locked:
            return _failed(url, config, state_dir, "another start is still waiting for it")
        if healthy(url):
            return Outcome(None)
        running = live_record(state_dir)
        if running is not None and running.url.rstrip("/") != url.rstrip("/"):
            why = f"this state dir's gateway (pid {running.pid}) serves {running.url}"
            return _failed(url, config, state_dir, why)
        pid = running.pid if running else None
        if pid is None:
            if not port_free(*host_port(url)):
                return _failed(url, config, state_dir, "its port is taken by another program")
            pid = spawn(gateway_command(url, config, state_dir, started_by, extra), state_dir)
        if wait_healthy(url, wait, pid if running is None else None):
            return Outcome(None, pid)
        return _failed(url, config, state_dir, _why_not(state_dir, pid, wait))


def _why_not(state_dir: Path, pid: int, wait: float) -> str:
    if is_gateway(pid):
        return f"no answer within {wait:g} s (pid {pid} is still starting)"
    try:
        lines = (state_dir / LOG_FILE).read_text(errors="replace").strip().splitlines()
    except OSError:
        lines = []
    return lines[-1].removeprefix("Error: ") if lines else "it exited at once"


def _failed(url: str, config: str | None, state_dir: Path, why: str) -> Outcome:
    by_hand = f"switchex up --port {host_port(url)[1]}" + (f" --config {config}" if config else "")
    log = state_dir / LOG_FILE
    return Outcome(
        f"switchex: the gateway at {url} is not running and could not be started ({why}); "
        f"log: {log}; start it by hand: {by_hand}"
    )
