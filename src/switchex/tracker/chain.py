"""Reading a snapshot chain back from git.

A chain is the first-parent line from the chain ref down to (not including) the first commit
that is not a switchex snapshot — the user's HEAD the chain started from. `git log` is read
as a stream and stopped there, so reading a chain never walks the user's whole history.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from switchex.errors import TrackerError
from switchex.tracker.diffstat import NUMSTAT_ARGS, Stat
from switchex.tracker.git import IDENTITY, first_line, popen
from switchex.tracker.records import KINDS, SnapshotCommit, parse_left_out, parse_trailers
from switchex.tracker.repo import chain_ref

_FORMAT = "%x1e%H%x1f%P%x1f%T%x1f%ct%x1f%ce%x1f%B"
_EMAIL = IDENTITY["GIT_COMMITTER_EMAIL"]


@dataclass(frozen=True)
class ChainEntry:
    """A chain commit with, when asked for, its numstat against its parent."""

    snapshot: SnapshotCommit
    files: tuple[str, ...] = ()
    added: int = 0
    removed: int = 0


def read_chain(worktree: Path) -> list[SnapshotCommit]:
    """The work tree's snapshot commits, oldest first ([] when there is no chain yet)."""
    return [entry.snapshot for entry in reversed(list(walk_chain(worktree)))]


def walk_chain(worktree: Path, *, numstat: bool = False) -> Iterator[ChainEntry]:
    """The chain's commits, newest first; with `numstat`, files and line counts of each."""
    args = ["log", "-z", "--first-parent", "--no-color", "--no-show-signature", "--no-notes"]
    if numstat:
        args += [*NUMSTAT_ARGS, "--root"]
    proc = popen(Path(worktree), [*args, f"--format={_FORMAT}", chain_ref(worktree), "--"])
    assert proc.stdout is not None and proc.stderr is not None
    entry: _Entry | None = None
    stopped = False
    try:
        for token in _tokens(proc.stdout.fileno()):
            if token.startswith("\x1e"):
                if entry is not None:
                    yield entry.freeze()
                snapshot = _parse_header(token[1:])
                if snapshot is None:
                    stopped = True
                    return
                entry = _Entry(snapshot)
            elif entry is not None and token:
                entry.add(token)
        if entry is not None:
            yield entry.freeze()
    finally:
        if stopped or proc.poll() is None:
            proc.kill()
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        code = proc.wait()
        if code not in (0, -9) and not stopped and b"bad revision" not in err:
            raise TrackerError(f"git log failed: {first_line(err)}")


class _Entry:
    def __init__(self, snapshot: SnapshotCommit) -> None:
        self.snapshot = snapshot
        self.stat = Stat()

    def add(self, numstat: str) -> None:
        self.stat.feed(numstat)

    def freeze(self) -> ChainEntry:
        stat = self.stat
        return ChainEntry(self.snapshot, tuple(stat.files), stat.added, stat.removed)


def _tokens(fd: int) -> Iterator[str]:
    buffer = b""
    while chunk := os.read(fd, 65536):
        buffer += chunk
        *complete, buffer = buffer.split(b"\0")
        for raw in complete:
            yield raw.decode("utf-8", "surrogateescape").lstrip("\n")
    if buffer:
        yield buffer.decode("utf-8", "surrogateescape").lstrip("\n")


def _parse_header(header: str) -> SnapshotCommit | None:
    fields = header.split("\x1f", 5)
    if len(fields) != 6:
        return None
    commit, parents, tree, when, email, body = fields
    trailers = parse_trailers(body)
    kind = trailers.get("Switchex-Kind", "")
    if email != _EMAIL or kind not in KINDS:
        return None
    return SnapshotCommit(
        commit=commit,
        parent=parents.split()[0] if parents.split() else None,
        tree=tree,
        time=float(when),
        model=trailers.get("Switchex-Model", ""),
        tier=trailers.get("Switchex-Tier", ""),
        session=trailers.get("Switchex-Session", ""),
        kind=kind,
        subject=body.split("\n", 1)[0].strip(),
        left_out=parse_left_out(body),
    )
