"""`--accept MODEL`: mark the model's pending segments accepted; files stay as they are."""

from __future__ import annotations

from pathlib import Path

from switchex.review.outcome import Outcome
from switchex.review.rollback import locked
from switchex.review.state import Event, append_event, require_target


def accept(path: Path, target: str, *, dry_run: bool = False, timeout: float = 10.0) -> Outcome:
    """Record MODEL's pending segments as accepted (one decision commit)."""
    require_target(target)
    with locked(path, not dry_run, timeout) as review:
        segments = tuple(review.pending(target))
        if not segments:
            return Outcome("accept", target, dry_run=dry_run, note="nothing pending")
        if not dry_run:
            event = Event("accept", target, tuple(s.commit for s in segments))
            append_event(review.git, review.refs, event)
        return Outcome("accept", target, segments, written=not dry_run, dry_run=dry_run)
