"""What a review command did (or would do): plain data for render."""

from __future__ import annotations

from dataclasses import dataclass

from switchex.review.reverse import Conflict
from switchex.review.segments import Segment
from switchex.review.worktree import FileChange


@dataclass(frozen=True)
class Outcome:
    """`blocked`: conflicts stop (or, dry run, would stop) the command; nothing is written."""

    action: str
    target: str
    segments: tuple[Segment, ...] = ()
    changes: tuple[FileChange, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    patch: str = ""
    written: bool = False
    dry_run: bool = False
    backup_ref: str | None = None
    revert: str | None = None
    blocked: bool = False
    note: str = ""
