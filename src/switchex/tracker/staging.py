"""Staging a snapshot's tree by editing the chain's last tree (`treeedit.py`), no index.

`stage_paths`: a batch of Write/Edit calls named the only files that changed. `stage_scan`:
which paths may differ from the chain is asked of git (`diff-files` and `ls-files -o`
against the user's index, only read, started before the chain is read; and `diff-index`
from the index to the chain's tree, side by side); those paths are then read from disk.
Either returns None when the paths are not all plain files (a symlink, a directory, a
gitlink, one git cannot read): the caller then stages through a temporary index
(`snapshot._stage`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import threading
from collections.abc import Collection
from dataclasses import dataclass

from switchex.errors import TrackerError
from switchex.tracker.git import run
from switchex.tracker.repo import Repo
from switchex.tracker.treeedit import Entries, edit_tree

log = logging.getLogger("switchex.tracker")

# Written by `switchex init`: the user's local settings, never anyone's work.
NEVER_SNAPSHOT = frozenset({".claude/settings.local.json"})
UNOPENED = re.compile(r"could not open directory '(.+?)/?':")


@dataclass(frozen=True)
class Staged:
    """A snapshot's tree, the files it left out and why (in words)."""

    tree: str
    left_out: tuple[str, ...]
    notes: tuple[str, ...]


def named_paths(repo: Repo, paths: Collection[str]) -> list[str]:
    """A batch's paths relative to the work tree, minus those never snapshotted."""
    return [p for p in _relative(repo, paths) if p not in NEVER_SNAPSHOT]


def stage_paths(
    repo: Repo,
    base: str,
    named: list[str],
    max_file_bytes: int,
    read: dict[str, Entries] | None = None,
) -> Staged | None:
    """The chain's tree with only `named` (from `named_paths`) re-read from disk (no index,
    no walk; `read`: their directories' entries in `base`, if already read); None when they
    are not plain file edits (the caller scans instead)."""
    return _edit(repo, base, named, max_file_bytes, read=read)


_DIFF_INDEX = ("diff-index", "--cached", "--name-only", "-z", "--no-renames")


class WorkTreeScan:
    """`diff-files` (modified, deleted; stats in threads) and `ls-files -o` (untracked, not
    ignored) against the user's index, only read, started at once in threads: they do not
    depend on the chain, so they run while its heads are read."""

    COMMANDS = (("diff-files", "--name-only", "-z"), ("ls-files", "-z", "-o", "--exclude-standard"))

    def __init__(self, repo: Repo) -> None:
        self._results: list[subprocess.CompletedProcess[bytes] | None] = [None, None]
        self._threads = [
            threading.Thread(target=self._one, args=(repo, i), daemon=True) for i in (0, 1)
        ]
        for thread in self._threads:
            thread.start()

    def _one(self, repo: Repo, i: int) -> None:
        with contextlib.suppress(TrackerError):  # None: failed to run
            self._results[i] = run(repo.worktree, self.COMMANDS[i])

    def join(self) -> list[subprocess.CompletedProcess[bytes] | None]:
        for thread in self._threads:
            thread.join()
        return list(self._results)


def stage_scan(repo: Repo, base: str, max_file_bytes: int, scan: WorkTreeScan) -> Staged | None:
    """The chain's tree edited at every path where the work tree may differ from it: what
    `scan` found differing from the user's index and where the index differs from the
    chain's tree (asked here, meanwhile). No index is written; None: let `_stage` do it."""
    index = None
    with contextlib.suppress(TrackerError):
        index = run(
            repo.worktree, ["diff-index", "--cached", "--name-only", "-z", "--no-renames", base]
        )
    files, untracked = scan.join()
    results = [files, index, untracked]
    if any(r is None or r.returncode != 0 for r in results):
        return None
    if UNOPENED.search(results[2].stderr.decode("utf-8", "surrogateescape")):  # type: ignore[union-attr]
        return None  # `_stage` names the directories git could not open
    found = [_names(proc.stdout if proc is not None else b"") for proc in results]
    paths = sorted(found[0].union(*found[1:]) - NEVER_SNAPSHOT)
    return _edit(repo, base, paths, max_file_bytes, not_ignored=found[2])


def _names(stdout: bytes) -> set[str]:
    return {os.fsdecode(p.rstrip(b"/")) for p in stdout.split(b"\0") if p.strip(b"/")}


def _edit(
    repo: Repo,
    base: str,
    paths: list[str],
    max_file_bytes: int,
    not_ignored: Collection[str] = (),
    read: dict[str, Entries] | None = None,
) -> Staged | None:
    if not paths:
        return Staged(base, (), ())
    if any("\n" in p for p in paths):
        return None
    try:
        edited = edit_tree(repo, base, paths, max_file_bytes, not_ignored, read)
    except TrackerError as error:  # e.g. a file git cannot read: `_stage` names it
        log.debug("tree edit of %s fell back to a scan: %s", repo.worktree, error)
        return None
    if edited is None:
        return None
    too_large = list(edited.left_out)
    notes = [f"left out {count(too_large)} larger than {max_file_bytes} bytes: "]
    notes[0] += names(too_large)
    return Staged(edited.tree, edited.left_out, tuple(notes) if too_large else ())


def _relative(repo: Repo, paths: Collection[str]) -> list[str]:
    """`paths` relative to the work tree (slashes); paths outside it are dropped."""
    root = os.path.realpath(repo.worktree)
    found = set()
    for path in paths:
        full = os.path.realpath(os.path.join(root, path))
        relative = os.path.relpath(full, root)
        if relative != "." and not relative.startswith(".." + os.sep) and relative != "..":
            found.add(relative.replace(os.sep, "/"))
    return sorted(found)


def count(paths: list[str]) -> str:
    return f"{len(paths)} file" + ("" if len(paths) == 1 else "s")


def names(paths: list[str], shown: int = 5) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more
