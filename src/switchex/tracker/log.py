"""The snapshot timeline of a work tree, newest first (for `switchex log`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from switchex.tracker.chain import walk_chain


def timeline(worktree: Path) -> list[dict[str, Any]]:
    """One dict per snapshot, newest first: time, commit, model, tier, kind, session, files,
    added, removed (lines, against the previous snapshot; binary files count 0)."""
    return [
        {
            "time": entry.snapshot.time,
            "commit": entry.snapshot.commit,
            "model": entry.snapshot.model,
            "tier": entry.snapshot.tier,
            "kind": entry.snapshot.kind,
            "session": entry.snapshot.session,
            "files": list(entry.files),
            "added": entry.added,
            "removed": entry.removed,
        }
        for entry in walk_chain(Path(worktree), numstat=True)
    ]
