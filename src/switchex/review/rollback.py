"""`--rollback MODEL` and `--undo`: the only review commands that write work-tree files.

Order of a rollback, all under the repository lock:
1. plan in a scratch object store: the work tree as a tree, the model's pending segments
   undone on it newest first (conflicts stop here: nothing written, not even the backup);
2. back up: a `human` snapshot of the work tree, kept under `backup/<n>`; every file about to
   change must be in it exactly as on disk;
3. write the changed files; 4. record a `revert` snapshot and the decision.
Undo backs up the same way, then restores the work tree of the latest rollback's backup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from switchex.errors import ReviewError, SwitchexError, TrackerError
from switchex.review.git import Git, scratch
from switchex.review.outcome import Outcome
from switchex.review.reverse import read_tree, reverse_segments
from switchex.review.segments import Review, Segment, load_review
from switchex.review.state import Event, append_event, require_target, save_backup
from switchex.review.worktree import FileChange, check_disk, disk_tree, file_changes, write_changes
from switchex.tracker.diffstat import PATCH_ARGS
from switchex.tracker.lock import repo_lock
from switchex.tracker.snapshot import MAX_FILE_BYTES, Attribution, take_snapshot

SESSION = "switchex-review"


@contextmanager
def locked(path: Path, enabled: bool, timeout: float) -> Iterator[Review]:
    """The review read under the repository lock (a dry run takes no lock: it writes nothing)."""
    review = load_review(path)
    with ExitStack() as stack:
        if enabled:
            try:
                stack.enter_context(repo_lock(review.worktree, timeout))
            except TrackerError as exc:
                busy = "the repository lock is busy (the gateway taking a snapshot?)"
                raise ReviewError(f"{busy}: {exc}") from exc
            review = load_review(path)
        yield review


def patch(git: Git, old: str, new: str) -> str:
    out = git.out("diff-tree", *PATCH_ARGS, old, new)
    return out.decode(errors="replace")


def backup(review: Review, max_file_bytes: int = MAX_FILE_BYTES) -> tuple[str, str]:
    """Snapshot the work tree (as `human` work, with the configured size cap) and keep it;
    returns (backup ref, commit)."""
    who = Attribution("human", "human", SESSION, "human")
    result = take_snapshot(review.worktree, who, max_file_bytes=max_file_bytes)
    if result.skipped:
        raise ReviewError(f"cannot back up the work tree ({result.skipped}); nothing written")
    commit = result.commit or review.git.rev(review.chain_ref)
    if commit is None:
        raise ReviewError("cannot back up the work tree: no snapshot; nothing written")
    return save_backup(review.git, review.refs, commit), commit


def ensure_backed_up(git: Git, commit: str, changes: list[FileChange]) -> None:
    """Every file about to change must be in the backup exactly as planned from."""
    saved = read_tree(git, commit)
    missing = [c.path for c in changes if saved.get(c.path) != c.old]
    if missing:
        listed = ", ".join(missing[:10])
        raise ReviewError(f"cannot back up {listed} (too large or unreadable?); nothing written")


def record_revert(review: Review, segments: list[Segment], target: str, note: str) -> str | None:
    models = {s.model for s in segments}
    tiers = {s.tier for s in segments}
    model = models.pop() if len(models) == 1 else target
    tier = tiers.pop() if len(tiers) == 1 else target
    attribution = Attribution(model, tier, SESSION, "revert")
    return take_snapshot(review.worktree, attribution, message=note).commit


def rollback(
    path: Path,
    target: str,
    *,
    dry_run: bool = False,
    allow_conflicts: bool = False,
    timeout: float = 10.0,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Outcome:
    """Undo MODEL's pending segments in the work tree, keeping everything else."""
    require_target(target)
    with locked(path, not dry_run, timeout) as review:
        segments = review.pending(target)
        if not segments:
            return Outcome("rollback", target, dry_run=dry_run, note="nothing pending")
        with scratch(review.git) as git:
            outcome, result = _plan(git, target, segments, dry_run, allow_conflicts)
            if dry_run or outcome.blocked:
                return outcome
            backup_ref, saved = _write(review, git, outcome, result, max_file_bytes)
        return _finish_rollback(review, outcome, backup_ref, saved)


def _plan(
    git: Git, target: str, segments: list[Segment], dry_run: bool, allow_conflicts: bool
) -> tuple[Outcome, str]:
    base = disk_tree(git)
    result, conflicts = reverse_segments(git, base, segments, allow_conflicts)
    outcome = Outcome(
        "rollback",
        target,
        tuple(segments),
        tuple(file_changes(git, base, result)),
        tuple(conflicts),
        patch(git, base, result),
        dry_run=dry_run,
        blocked=bool(conflicts) and not allow_conflicts,
    )
    return outcome, result


def _write(
    review: Review, git: Git, outcome: Outcome, result: str, max_file_bytes: int
) -> tuple[str | None, str | None]:
    """Back up, then write; a failed write is still recorded so that --undo can restore."""
    changes = list(outcome.changes)
    if not changes:
        return None, None
    backup_ref, saved = backup(review, max_file_bytes)
    ensure_backed_up(git, saved, changes)
    check_disk(git, changes)
    try:
        write_changes(git, result, changes)
    except (SwitchexError, OSError) as exc:
        _finish_rollback(review, outcome, backup_ref, saved)
        raise ReviewError(
            f"writing failed part way ({exc}); `switchex review --undo` restores {backup_ref}"
        ) from exc
    return backup_ref, saved


def _finish_rollback(
    review: Review, outcome: Outcome, backup_ref: str | None, saved: str | None
) -> Outcome:
    note = f"switchex review: rollback {outcome.target}"
    segments = list(outcome.segments)
    revert = record_revert(review, segments, outcome.target, note) if outcome.changes else None
    # A segment left in place by a whole-file conflict (--allow-conflicts) stays pending.
    kept = {c.segment for c in outcome.conflicts if not c.hunks}
    commits = tuple(s.commit for s in segments if s.commit not in kept)
    conflicted = tuple(sorted({c.path for c in outcome.conflicts}))
    event = Event(
        "rollback", outcome.target, commits, backup=saved, revert=revert, conflicts=conflicted
    )
    append_event(review.git, review.refs, event)
    return replace(outcome, written=True, backup_ref=backup_ref, revert=revert)
