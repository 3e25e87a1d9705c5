"""One switchex git writer per repository, across threads and processes.

The lock is `fcntl.flock` on `<git-common-dir>/switchex.lock` (shared by all linked work
trees of a repository). Within a process it is re-entrant for the thread that holds it, so
code that holds the lock (review's rollback) can take a snapshot; other threads of the same
process wait on a thread lock first, because two flocks of one process on separate file
descriptions would block each other anyway.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from switchex.errors import TrackerError
from switchex.tracker.git import first_line, run

LOCK_NAME = "switchex.lock"


class _ProcessLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self.thread_lock.acquire(timeout=max(timeout, 0.0)):
            raise TrackerError(f"timed out after {timeout:g} s waiting for {self.path}")
        if self.depth == 0:
            try:
                self.fd = _flock(self.path, deadline, timeout)
            except BaseException:
                self.thread_lock.release()
                raise
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
        self.thread_lock.release()


def _flock(path: Path, deadline: float, timeout: float) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise TrackerError(f"cannot open lock file {path}: {exc}") from exc
    delay = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise TrackerError(f"timed out after {timeout:g} s waiting for {path}") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


# Process-wide by nature: a lock must be shared by every thread of the process.
_registry: dict[Path, _ProcessLock] = {}
_registry_lock = threading.Lock()


def _process_lock(path: Path) -> _ProcessLock:
    with _registry_lock:
        lock = _registry.get(path)
        if lock is None:
            lock = _registry[path] = _ProcessLock(path)
        return lock


def lock_path(worktree_or_gitdir: Path) -> Path:
    """The lock file of the repository that contains `worktree_or_gitdir`."""
    path = Path(worktree_or_gitdir)
    if _is_common_dir(path):
        return path.resolve() / LOCK_NAME
    proc = run(path, ["rev-parse", "--path-format=absolute", "--git-common-dir"])
    if proc.returncode != 0:
        raise TrackerError(f"no git repository at {path}: {first_line(proc.stderr)}")
    return Path(os.fsdecode(proc.stdout.strip())).resolve() / LOCK_NAME


def _is_common_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


@contextmanager
def repo_lock(worktree_or_gitdir: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the repository's switchex writer lock; TrackerError after `timeout` seconds."""
    lock = _process_lock(lock_path(worktree_or_gitdir))
    lock.acquire(timeout)
    try:
        yield
    finally:
        lock.release()
