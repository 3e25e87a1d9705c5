"""`--undo`: bring back what the latest rollback removed, keeping work done since.

The same 3-way merge as a rollback, the other way round: for each file the rollback changed,
base = the work tree right after the rollback (its `revert` snapshot), theirs = the backup
taken before it, ours = the work tree now. Files created or edited after the rollback are
kept; where they overlap with what undo restores, it stops and lists the conflicts (nothing
written) unless `allow_conflicts`. Undo backs up first (the state it replaces is kept under
the next `backup/<n>`), records a `revert` snapshot, and makes the rolled-back segments
pending again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from switchex.errors import ReviewError
from switchex.review.git import Git, scratch
from switchex.review.outcome import Outcome
from switchex.review.reverse import reverse_segments
from switchex.review.rollback import backup, ensure_backed_up, locked, patch, record_revert
from switchex.review.segments import Review, Segment
from switchex.review.state import Event, append_event, undoable
from switchex.review.worktree import check_disk, disk_tree, file_changes, write_changes
from switchex.tracker.snapshot import MAX_FILE_BYTES


def _rollback_as_segment(event: Event) -> list[Segment]:
    """The rollback's own change (before → after) as a segment to reverse; [] if it wrote
    nothing."""
    if not event.backup or not event.revert:
        return []
    who = f"rollback of {event.target}"
    now = datetime.now(UTC)
    return [Segment(event.revert, event.backup, who, who, "revert", now, "", (), 0, 0)]


def _plan(git: Git, event: Event, dry_run: bool, allow_conflicts: bool) -> tuple[Outcome, str]:
    ours = disk_tree(git)
    result, conflicts = reverse_segments(git, ours, _rollback_as_segment(event), allow_conflicts)
    outcome = Outcome(
        "undo",
        event.target,
        changes=tuple(file_changes(git, ours, result)),
        conflicts=tuple(conflicts),
        patch=patch(git, ours, result),
        dry_run=dry_run,
        blocked=bool(conflicts) and not allow_conflicts,
    )
    return outcome, result


def undo(
    path: Path,
    *,
    dry_run: bool = False,
    allow_conflicts: bool = False,
    timeout: float = 10.0,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Outcome:
    """Restore what the latest rollback not undone yet removed, keeping later work."""
    with locked(path, not dry_run, timeout) as review:
        event = undoable(review.events)
        if event is None:
            raise ReviewError("nothing to undo: no rollback of this work tree is left to undo")
        segments = tuple(s for s in review.segments if s.commit in event.segments)
        with scratch(review.git) as git:
            outcome, result = _plan(git, event, dry_run, allow_conflicts)
            outcome = replace(outcome, segments=segments)
            if dry_run or outcome.blocked:
                return outcome
            changes = list(outcome.changes)
            backup_ref, saved = backup(review, max_file_bytes) if changes else (None, None)
            if saved is not None:
                ensure_backed_up(git, saved, changes)
            check_disk(git, changes)
            write_changes(git, result, changes)
        return _finish_undo(review, replace(outcome, backup_ref=backup_ref), event, saved)


def _finish_undo(review: Review, outcome: Outcome, event: Event, saved: str | None) -> Outcome:
    note = f"switchex review: undo rollback {event.target}"
    segments = list(outcome.segments)
    revert = record_revert(review, segments, event.target, note) if outcome.changes else None
    record = Event("undo", event.target, event.segments, saved, revert, undoes=event.commit)
    append_event(review.git, review.refs, record)
    return replace(outcome, written=True, revert=revert)
