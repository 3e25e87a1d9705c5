"""The one numstat parser of tracker and review, with one rename setting.

Every diff that counts files and lines (`switchex log`, snapshot results, review segments)
runs with `NUMSTAT_ARGS`: renames detected (`-M`, a renamed file counts once, under its new
path) and no external diff or textconv driver (they would run repository-named commands).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from switchex.errors import TrackerError
from switchex.tracker.git import git

NUMSTAT_ARGS = ("-r", "-z", "--numstat", "-M", "--no-textconv", "--no-ext-diff")
PATCH_ARGS = ("-p", "-M", "--no-color", "--no-ext-diff", "--no-textconv")


@dataclass
class Stat:
    """Files and lines added / removed, fed token by token from `--numstat -z` output."""

    files: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    paths_due: int = 0  # a rename's numstat is followed by its old and new path

    def feed(self, token: str) -> None:
        if self.paths_due:
            self.paths_due -= 1
            if not self.paths_due:
                self.files.append(token)
            return
        plus, minus, path = [*token.split("\t", 2), "", ""][:3]
        self.added += int(plus) if plus.isdigit() else 0
        self.removed += int(minus) if minus.isdigit() else 0
        if path:
            self.files.append(path)
        else:
            self.paths_due = 2


def parse_numstat(raw: bytes) -> Stat:
    """The totals of one diff's `--numstat -z` output."""
    stat = Stat()
    for token in raw.decode("utf-8", "surrogateescape").split("\0"):
        token = token.lstrip("\n")
        if token:
            stat.feed(token)
    return stat


class TreeNumstat:
    """`git diff-tree --numstat` of the parent's tree against the new tree (what the commit
    changes; the empty tree for a root commit), run in a thread while the commit is written.
    The same numbers as `diff-tree --root <commit>` once the commit exists."""

    def __init__(self, worktree: Path, old_tree: str, new_tree: str) -> None:
        self._args = ("diff-tree", *NUMSTAT_ARGS, old_tree, new_tree)
        self._worktree = worktree
        self._out: bytes | TrackerError = b""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._out = git(self._worktree, *self._args)
        except TrackerError as error:
            self._out = error

    def result(self) -> tuple[tuple[str, ...], int, int]:
        self._thread.join()
        if isinstance(self._out, TrackerError):
            raise self._out
        parsed = parse_numstat(self._out)
        return tuple(parsed.files), parsed.added, parsed.removed
