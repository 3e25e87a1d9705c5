"""The snapshot timeline of a work tree, newest first (for `switchex log`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from switchex.tracker.chain import walk_chain
from switchex.tracker.records import SnapshotCommit


def label(snapshot: SnapshotCommit) -> str:
    """The kind, with a review's `revert` told apart: `rollback` or `undo`."""
    if snapshot.kind == "revert":
        if snapshot.subject.startswith("switchex review: undo"):
            return "undo"
        if snapshot.subject.startswith("switchex review: rollback"):
            return "rollback"
    return snapshot.kind


def timeline(worktree: Path) -> list[dict[str, Any]]:
    """One dict per snapshot, newest first: time, commit, model, tier, kind, label (kind, or
    rollback / undo for a review's revert), session, files, added, removed (lines, against the
    previous snapshot; binary files count 0), left_out (files the snapshot left out)."""
    return [
        {
            "time": entry.snapshot.time,
            "commit": entry.snapshot.commit,
            "model": entry.snapshot.model,
            "tier": entry.snapshot.tier,
            "kind": entry.snapshot.kind,
            "label": label(entry.snapshot),
            "session": entry.snapshot.session,
            "files": list(entry.files),
            "added": entry.added,
            "removed": entry.removed,
            "left_out": list(entry.snapshot.left_out),
        }
        for entry in walk_chain(Path(worktree), numstat=True)
    ]
