"""Keeping one gateway up per state dir: pid file, start lock, health probe, detached spawn.

Standard library only: `switchex hook` (Claude Code's SessionStart command) imports this on
every session start and must stay fast. Invariants:
- at most one process started from here runs per state dir: starts happen under an exclusive
  `flock` on `<state>/gateway.lock`, and a start first re-checks `/health` and the pid file;
- the pid file (`<state>/gateway.pid`, JSON) names the process that serves and how it was
  started; it is only trusted while that pid is alive and is a switchex process, so a stale
  file (crash, reboot, reused pid) is never a reason to signal anybody.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from switchex import paths

PID_FILE = "gateway.pid"
LOCK_FILE = "gateway.lock"
LOG_FILE = "gateway.log"
STARTED_BY = ("foreground", "detached", "auto-started", "service")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::")


def default_state_dir() -> Path:
    return Path(paths.default_state_dir())


def resolve_state_dir(explicit: str | None) -> Path:
    """--state-dir, else SWITCHEX_STATE_DIR, else the platform's state directory."""
    return Path(paths.state_dir(explicit))


def resolve_config(explicit: str | None, cwd: Path | None = None) -> str | None:
    """The config file `up` would load here, made absolute (a detached gateway runs elsewhere)."""
    named = explicit or os.environ.get("SWITCHEX_CONFIG")
    if named:
        return str(Path(named).expanduser().absolute())
    local = (cwd or Path.cwd()) / "switchex.yaml"
    return str(local.absolute()) if local.is_file() else None


class PidRecord:
    """What `<state>/gateway.pid` holds about the gateway serving this state dir.

    (A plain class: dataclasses would import `inspect` on the hook's path.)
    """

    __slots__ = ("config", "pid", "started", "started_by", "url")

    def __init__(
        self, pid: int, url: str, started_by: str, config: str | None, started: float
    ) -> None:
        self.pid, self.url, self.started_by = pid, url, started_by
        self.config, self.started = config, started

    def as_dict(self) -> dict[str, object]:
        return {
            "pid": self.pid,
            "url": self.url,
            "started_by": self.started_by,
            "config": self.config,
            "started": self.started,
        }


def read_pid(state_dir: Path) -> PidRecord | None:
    try:
        data = json.loads((state_dir / PID_FILE).read_text(encoding="utf-8"))
        return PidRecord(
            int(data["pid"]),
            str(data["url"]),
            str(data["started_by"]),
            data.get("config"),
            float(data["started"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_pid(state_dir: Path, record: PidRecord) -> None:
    temporary = state_dir / f"{PID_FILE}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(record.as_dict()), encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(state_dir / PID_FILE)


def remove_pid(state_dir: Path, pid: int) -> None:
    """Remove the pid file if it still names `pid` (a later gateway's file is kept)."""
    record = read_pid(state_dir)
    if record is not None and record.pid == pid:
        with contextlib.suppress(OSError):
            (state_dir / PID_FILE).unlink()


def is_gateway(pid: int) -> bool:
    """Whether `pid` is alive and is a `switchex up` (not a stranger that reused the pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # not ours to signal
    words = _command_line(pid)
    return "up" in words and any("switchex" in word for word in words)


def _command_line(pid: int) -> list[str]:
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.exists():
        with contextlib.suppress(OSError):
            return proc.read_bytes().decode(errors="replace").split("\0")
        return []
    import subprocess

    done = subprocess.run(
        ["ps", "-p", str(pid), "-o", "command="], capture_output=True, text=True, check=False
    )
    return done.stdout.split()


def live_record(state_dir: Path) -> PidRecord | None:
    """The pid file's record when its process is a live switchex gateway, else None."""
    record = read_pid(state_dir)
    return record if record is not None and is_gateway(record.pid) else None


HOW = {
    "foreground": "by hand (switchex up)",
    "detached": "in the background (switchex up --detach)",
    "auto-started": "auto-started (Claude Code's SessionStart or switchex claude)",
    "service": "as a user service (switchex service)",
}


def how_started(state_dir: Path, url: str) -> str | None:
    """One line on how the gateway at `url` was started, from this state dir's pid file."""
    record = live_record(state_dir)
    if record is None or record.url.rstrip("/") != url.rstrip("/"):
        return None
    since = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.started))
    return f"started {HOW.get(record.started_by, record.started_by)}, pid {record.pid}, {since}"


@contextlib.contextmanager
def start_lock(state_dir: Path, timeout: float) -> Iterator[bool]:
    """Hold the state dir's start lock (yields False when it could not be had in time)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.02)
        yield True
    finally:
        os.close(descriptor)  # closing releases the lock


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def is_local(url: str) -> bool:
    return urlsplit(url).scheme == "http" and host_port(url)[0] in LOCAL_HOSTS


def healthy(url: str, timeout: float = 0.5) -> bool:
    """GET /health answers 200 (a raw socket: no http.client import on the hook's path)."""
    from switchex.minihttp import request

    try:
        status, _ = request(url, "GET", "/health", timeout=timeout)
    except (OSError, ValueError):
        return False
    return status == 200


def gateway_command(
    url: str, config: str | None, state_dir: Path, started_by: str, extra: tuple[str, ...] = ()
) -> list[str]:
    host, port = host_port(url)
    command = [sys.executable, "-m", "switchex", "up", "--host", host, "--port", str(port)]
    command += ["--state-dir", str(state_dir.absolute()), "--started-by", started_by]
    return command + (["--config", config] if config else []) + list(extra)


def spawn(command: list[str], state_dir: Path) -> int:
    """Start `command` in its own session (it outlives us), output appended to the log.

    posix_spawn, not Popen: the caller exits long before the gateway, and a Popen object
    left behind warns; our descriptors (the start lock among them) are not inherited.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    log = str(state_dir / LOG_FILE)
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    return os.posix_spawn(command[0], command, os.environ, file_actions=actions, setsid=True)
