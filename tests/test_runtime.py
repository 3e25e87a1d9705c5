"""The glue between the gateway and the tracker: repository lookup, quiet skips, journaling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from switchex.runtime import RECHECK_SECONDS, TrackingObserver
from switchex.tracker.records import Attribution, SnapshotResult


class FakeTracker:
    def __init__(self) -> None:
        self.boundaries: list[tuple[str, Path | None]] = []

    def boundary(self, session: str, repo: Path | None, agent: str | None = None) -> None:
        self.boundaries.append((session, repo))


class Journal:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def record(self, table: str, row: dict[str, Any]) -> None:
        self.rows.append(row)


def request(cwd: str) -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [
            {"role": "user", "content": "hi"},
            {
                "role": "system",
                "content": f"Primary working directory: {cwd}\nIs a git repository: true",
            },
        ],
    }


def skipped(path: str, reason: str) -> SnapshotResult:
    return SnapshotResult(
        Path(path), "", None, None, False, reason, (), 0, 0, 0.01, Attribution.human("s")
    )


def make() -> tuple[TrackingObserver, FakeTracker, Journal, list[float]]:
    now = [100.0]
    journal = Journal()
    observer = TrackingObserver(journal, None, clock=lambda: now[0])  # type: ignore[arg-type]
    tracker = FakeTracker()
    observer.tracker = tracker  # type: ignore[assignment]
    return observer, tracker, journal, now


def test_the_working_directory_comes_from_the_request_and_is_remembered() -> None:
    observer, tracker, _, _ = make()
    assert observer.boundary("s1", request("/srv/p"), "") == "/srv/p"
    assert observer.boundary("s1", {"model": "m", "messages": []}, "") == "/srv/p"
    assert tracker.boundaries == [("s1", Path("/srv/p")), ("s1", Path("/srv/p"))]


def test_a_directory_that_is_no_repository_is_left_alone_then_rechecked() -> None:
    observer, tracker, journal, now = make()
    observer.boundary("s1", request("/tmp/scratch"), "")
    for _ in range(3):
        observer.record(skipped("/tmp/scratch", "not a git repository"))
    assert len(journal.rows) == 1  # the same skip is journaled once
    observer.boundary("s1", request("/tmp/scratch"), "")
    assert len(tracker.boundaries) == 1  # quiet: no probe per request
    now[0] += RECHECK_SECONDS + 1
    observer.boundary("s1", request("/tmp/scratch"), "")
    assert len(tracker.boundaries) == 2


def test_a_new_skip_reason_is_journaled_again() -> None:
    observer, _, journal, _ = make()
    observer.record(skipped("/srv/p", "index.lock present"))
    observer.record(skipped("/srv/p", "index.lock present"))
    observer.record(skipped("/srv/p", "mid-rebase"))
    assert [row["skipped"] for row in journal.rows] == ["index.lock present", "mid-rebase"]


def hooked() -> tuple[TrackingObserver, list[tuple[str, str, Any]]]:
    """An observer over a real Tracker whose snapshots are recorded, not taken."""
    from switchex.tracker.worker import Tracker

    taken: list[tuple[str, str, Any]] = []

    def snapshot(repo: Path, attribution: Attribution, **kw: Any) -> SnapshotResult:
        taken.append((attribution.model, attribution.kind, kw.get("paths")))
        return SnapshotResult(repo, "r", "c", None, True, None, (), 0, 0, 0.0, attribution)

    observer = TrackingObserver(None, None)
    observer.tracker = Tracker(observer.record, Path("/srv/p"), snapshot=snapshot)
    return observer, taken


def test_hooks_attribute_batches_by_tool_id_and_notifications_to_the_launcher() -> None:
    observer, taken = hooked()
    base = {"session_id": "s", "cwd": "/srv/p"}
    observer.hook("UserPromptSubmit", {**base, "prompt": "write it"})
    observer.responded("s", "model-a", "tier-a", True, "", ("bg", "w"))
    observer.responded("s", "model-b", "tier-b", True, "agent-1", ("w2",))
    batch = [
        {"tool_name": "Bash", "tool_use_id": "bg", "tool_input": {"run_in_background": True}},
        {"tool_name": "Write", "tool_use_id": "w", "tool_input": {"file_path": "/srv/p/a"}},
    ]
    observer.hook("PostToolBatch", {**base, "tool_calls": batch})
    assert taken[-1] == ("model-a", "ai", None)  # returned only once it was taken
    sub = [{"tool_name": "Edit", "tool_use_id": "w2", "tool_input": {"file_path": "/srv/p/b"}}]
    observer.hook("PostToolBatch", {**base, "agent_id": "agent-1", "tool_calls": sub})
    assert taken[-1] == ("model-b", "ai", frozenset({"/srv/p/b"}))
    note = "<task-notification>\n<tool-use-id>bg</tool-use-id>\n</task-notification>"
    observer.hook("UserPromptSubmit", {**base, "prompt": note})
    assert taken[-1] == ("model-a", "ai", None)
    observer.responded("s", "model-c", "tier-c", True, "", ("x",))
    observer.hook("UserPromptSubmit", {**base, "prompt": "again", "source": "loop_wakeup"})
    assert taken[-1] == ("model-c", "ai", None)  # injected, not typed: the main agent's latest
    observer.hook("Stop", base)  # tool-exact mode: Stop takes nothing
    observer.boundary("s", request("/srv/p"), "")  # nor does the next request
    observer.hook("UserPromptSubmit", {**base, "prompt": "thanks, now the docs"})
    assert [model for model, _, _ in taken] == [
        "human",
        "model-a",
        "model-b",
        "model-a",
        "model-c",
        "human",
    ]
    observer.close()


def test_a_stopped_agent_has_no_calls_in_flight() -> None:
    observer, _ = hooked()
    tracker = observer.tracker
    assert tracker is not None
    observer.responded("s", "model-a", "tier-a", True, "", ("t1",))
    observer.responded("s", "model-b", "tier-b", True, "sub", ("t2",))
    assert not tracker.tools.wait_settled(["s"], 0.01)
    observer.hook("SubagentStop", {"session_id": "s", "agent_id": "sub"})
    assert not tracker.tools.wait_settled(["s"], 0.01)
    observer.hook("StopFailure", {"session_id": "s", "error": "rate_limit"})
    assert tracker.tools.wait_settled(["s"], 0.01)
    observer.close()
