"""The tracker's public surface: names and signatures other modules code against."""

from __future__ import annotations

import inspect

import switchex.tracker as tracker
from switchex.tracker import lock, refnames, session, snapshot, worker


def _params(fn: object) -> list[str]:
    return list(inspect.signature(fn).parameters)  # type: ignore[arg-type]


def test_all_is_pinned() -> None:
    assert sorted(tracker.__all__) == [
        "Attribution",
        "AttributionBook",
        "SnapshotCommit",
        "SnapshotResult",
        "Tracker",
        "chain_ref",
        "decode_ref_component",
        "encode_ref_component",
        "read_chain",
        "repo_hint",
        "repo_lock",
        "resolve_worktree",
        "session_id",
        "take_snapshot",
        "timeline",
    ]


def test_contract_signatures() -> None:
    assert _params(snapshot.take_snapshot)[:4] == [
        "worktree",
        "attribution",
        "max_file_bytes",
        "message",
    ]
    assert _params(snapshot.resolve_worktree) == ["path"]
    assert _params(snapshot.chain_ref) == _params(snapshot.read_chain) == ["worktree"]
    assert _params(refnames.encode_ref_component) == ["name"]
    assert _params(lock.repo_lock) == ["worktree_or_gitdir", "timeout"]
    assert _params(session.session_id) == ["headers", "request"]
    assert _params(worker.Tracker.boundary) == ["self", "session", "repo", "agent"]
    assert _params(worker.Tracker.responded)[:5] == ["self", "session", "model", "tier", "tool_use"]
    assert [f for f in snapshot.SnapshotResult.__dataclass_fields__][:11] == [
        "worktree",
        "ref",
        "commit",
        "parent",
        "changed",
        "skipped",
        "files",
        "added",
        "removed",
        "seconds",
        "attribution",
    ]
    assert list(snapshot.SnapshotCommit.__dataclass_fields__)[:8] == [
        "commit",
        "parent",
        "tree",
        "time",
        "model",
        "tier",
        "session",
        "kind",
    ]
