"""`--undo`: put the work tree back, byte for byte, as the latest rollback found it.

Undo backs up first (the state it replaces is kept under the next `backup/<n>`), restores the
files of the latest rollback's backup (removing files created since, bringing back removed
ones; files no snapshot holds, like ignored ones, are left alone), records a `revert`
snapshot, and makes the rolled-back segments pending again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from switchex.errors import ReviewError
from switchex.review.git import Git, scratch
from switchex.review.outcome import Outcome
from switchex.review.rollback import backup, locked, patch, record_revert
from switchex.review.segments import Review
from switchex.review.state import Event, append_event, undoable
from switchex.review.worktree import (
    FileChange,
    check_disk,
    disk_tree,
    file_changes,
    write_changes,
)
from switchex.tracker.snapshot import MAX_FILE_BYTES


def snapshotted(git: Git, change: FileChange) -> bool:
    """False for a file snapshots leave out (over their size cap): undo leaves it alone.

    Only a dry run sees such files: a real undo compares two snapshot trees."""
    full = git.worktree / change.path
    return not (full.is_file() and full.stat().st_size > MAX_FILE_BYTES)


def _tree(git: Git, commit: str) -> str:
    return git.text("rev-parse", f"{commit}^{{tree}}")


def undo(path: Path, *, dry_run: bool = False, timeout: float = 10.0) -> Outcome:
    """Restore the work tree saved by the latest rollback not undone yet."""
    with locked(path, not dry_run, timeout) as review:
        event = undoable(review.events)
        if event is None:
            raise ReviewError("nothing to undo: no rollback of this work tree is left to undo")
        segments = tuple(s for s in review.segments if s.commit in event.segments)
        with scratch(review.git) as git:
            backup_ref, saved = (None, None) if dry_run else backup(review)
            current = disk_tree(git) if saved is None else _tree(git, saved)
            target = _tree(git, event.backup) if event.backup else current
            changes = [c for c in file_changes(git, current, target) if snapshotted(git, c)]
            outcome = Outcome(
                "undo",
                event.target,
                segments,
                tuple(changes),
                patch=patch(git, current, target),
                dry_run=dry_run,
                backup_ref=backup_ref,
            )
            if dry_run:
                return outcome
            check_disk(git, changes)
            write_changes(git, target, changes)
        return _finish_undo(review, outcome, event, saved)


def _finish_undo(review: Review, outcome: Outcome, event: Event, saved: str | None) -> Outcome:
    note = f"switchex review: undo rollback {event.target}"
    segments = list(outcome.segments)
    revert = record_revert(review, segments, event.target, note) if outcome.changes else None
    record = Event("undo", event.target, event.segments, saved, revert, undoes=event.commit)
    append_event(review.git, review.refs, record)
    return replace(outcome, written=True, revert=revert)
