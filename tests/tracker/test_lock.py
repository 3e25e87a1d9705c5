"""repo_lock: one switchex writer per repository, across threads and processes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from switchex.errors import TrackerError
from switchex.tracker.lock import lock_path, repo_lock

from .helpers import git

_HOLDER = """
import sys, time
from pathlib import Path
from switchex.tracker.lock import repo_lock
with repo_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_lock_file_is_shared_by_every_view_of_the_repo(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    expected = (repo / ".git" / "switchex.lock").resolve()
    views = [repo, repo / "src", repo / ".git", tmp_path / "wt", repo / ".git" / "worktrees" / "wt"]
    assert {lock_path(v) for v in views} == {expected}


def test_not_a_repo_raises(tmp_path: Path) -> None:
    with pytest.raises(TrackerError), repo_lock(tmp_path):
        pass


def test_reentrant_in_one_thread(repo: Path) -> None:
    with repo_lock(repo, timeout=0.5), repo_lock(repo / "src", timeout=0.5):
        pass


def test_other_thread_waits_then_times_out(repo: Path) -> None:
    errors: list[Exception] = []

    def contend() -> None:
        try:
            with repo_lock(repo, timeout=0.1):
                pass
        except TrackerError as exc:
            errors.append(exc)

    with repo_lock(repo):
        thread = threading.Thread(target=contend)
        thread.start()
        thread.join()
    assert len(errors) == 1 and "timed out" in str(errors[0])
    contend()
    assert len(errors) == 1


def test_threads_are_mutually_exclusive(repo: Path) -> None:
    inside, overlaps = [0], [0]

    def work() -> None:
        for _ in range(20):
            with repo_lock(repo):
                inside[0] += 1
                overlaps[0] += inside[0] > 1
                time.sleep(0.0005)
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [0]


def test_another_process_holds_it(repo: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(repo)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(TrackerError, match="timed out"), repo_lock(repo, timeout=0.1):
            pass
    finally:
        holder.communicate("\n", timeout=10)
    with repo_lock(repo, timeout=2):
        pass
