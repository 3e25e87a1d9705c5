"""Tracker: boundaries become snapshots off the caller's thread, attributed at enqueue time."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from switchex.tracker.records import Attribution, SnapshotResult
from switchex.tracker.snapshot import read_chain
from switchex.tracker.worker import Tracker

from .helpers import write

REPO = Path("/srv/repo")


class FakeSnapshot:
    """Records calls; the first call can be held until `release` is set."""

    def __init__(self, hold: bool = False, delay: float = 0.0, fail: bool = False) -> None:
        self.calls: list[tuple[Path, Attribution, bool]] = []
        self.release = threading.Event()
        self.hold, self.delay, self.fail = hold, delay, fail

    def __call__(self, repo: Path, attribution: Attribution, **kw: Any) -> SnapshotResult:
        self.calls.append((repo, attribution, kw["baseline"]))
        if self.hold and len(self.calls) == 1:
            self.release.wait(5)
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("git exploded")
        return SnapshotResult(repo, "ref", "c", None, True, None, (), 0, 0, 0.0, attribution)


def _wait_for(predicate: Any) -> None:
    deadline = time.monotonic() + 5
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)


def _tracker(fake: FakeSnapshot, default: Path | None = REPO) -> tuple[Tracker, list[Any]]:
    results: list[Any] = []
    return Tracker(results.append, default, snapshot=fake), results


def test_attribution_is_captured_when_the_boundary_is_enqueued() -> None:
    fake = FakeSnapshot(hold=True)
    tracker, results = _tracker(fake)
    tracker.boundary("s", None)
    _wait_for(lambda: fake.calls)  # the first snapshot is running (and held)
    tracker.responded("s", "model-a", "tier-a", tool_use=True)
    tracker.boundary("s", None)
    tracker.responded("s", "model-b", "tier-b", tool_use=True)
    tracker.boundary("s", None)
    fake.release.set()
    assert tracker.flush(5)
    assert [(a.model, baseline) for _, a, baseline in fake.calls] == [
        ("human", True),
        ("model-a", False),
        ("model-b", False),
    ]
    assert "may include changes of model-b (tier-b)" in results[1].notes[-1]


def test_equal_queued_boundaries_coalesce() -> None:
    fake = FakeSnapshot(hold=True)
    tracker, results = _tracker(fake)
    tracker.responded("s", "m", "t", tool_use=True)
    tracker.boundary("s", None)
    _wait_for(lambda: fake.calls)
    for _ in range(3):
        tracker.boundary("s", None)
    fake.release.set()
    assert tracker.flush(5)
    assert len(fake.calls) == 2 and len(results) == 2


def test_a_slow_git_never_blocks_the_caller() -> None:
    fake = FakeSnapshot(delay=0.2)
    tracker, _ = _tracker(fake)
    start = time.monotonic()
    for i in range(6):
        tracker.boundary(f"s{i % 3}", Path(f"/srv/repo{i % 2}"))
    assert time.monotonic() - start < 0.1
    assert not tracker.flush(0.05)
    assert tracker.flush(5)


def test_repositories_are_served_independently() -> None:
    fake = FakeSnapshot(hold=True)
    tracker, results = _tracker(fake)
    tracker.boundary("s1", Path("/srv/stuck"))
    tracker.boundary("s2", Path("/srv/free"))
    _wait_for(lambda: results)
    assert [r.worktree for r in results] == [Path("/srv/free")]
    fake.release.set()
    assert tracker.flush(5)


def test_failures_are_reported_never_raised() -> None:
    fake = FakeSnapshot(fail=True)
    seen: list[SnapshotResult] = []

    def on_result(result: SnapshotResult) -> None:
        seen.append(result)
        raise ValueError("journal is down")

    tracker = Tracker(on_result, REPO, snapshot=fake)
    tracker.boundary("s", None)
    tracker.boundary("s", Path("/srv/other"))
    assert tracker.flush(5)
    assert len(seen) == 2 and all("git exploded" in (r.skipped or "") for r in seen)


def test_repo_choice_and_close() -> None:
    fake = FakeSnapshot()
    tracker, _ = _tracker(fake, default=None)
    tracker.boundary("s", None)  # nowhere to snapshot
    tracker.human_boundary("s")
    tracker.boundary("s", Path("/srv/hint"))
    assert tracker.flush(5)
    tracker.human_boundary("s")  # remembers the session's repo
    assert tracker.close(5)
    tracker.boundary("s", Path("/srv/hint"))  # closed: ignored
    assert tracker.flush(1)
    assert [(r, a.kind) for r, a, _ in fake.calls] == [
        (Path("/srv/hint"), "human"),
        (Path("/srv/hint"), "human"),
    ]


def test_end_to_end_with_git(repo: Path) -> None:
    results: list[SnapshotResult] = []
    tracker = Tracker(results.append)
    write(repo, "README.md", "dirty before the session\n")
    assert tracker.register("s", str(repo / "src")) == repo.resolve()
    tracker.boundary("s", None)  # first request: nothing new
    assert tracker.flush(10)  # the model takes seconds to answer
    tracker.responded("s", "qwen2.5-coder:7b", "local", tool_use=True)
    write(repo, "src/app.py", "print('ai')\n")  # the tool ran
    tracker.boundary("s", None)
    assert tracker.flush(10)
    write(repo, "notes.txt", "mine\n")
    tracker.human_boundary("s")
    assert tracker.close(10)
    chain = read_chain(repo)
    assert [(c.kind, c.model) for c in chain] == [
        ("baseline", "human"),
        ("ai", "qwen2.5-coder:7b"),
        ("human", "human"),
    ]
    assert [r.files for r in results if r.changed] == [
        ("README.md",),
        ("src/app.py",),
        ("notes.txt",),
    ]
    assert tracker.register("s2", str(repo.parent)) is None


class PathsSnapshot(FakeSnapshot):
    """Also records which paths each snapshot was asked for (None: a full scan)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[Any] = []

    def __call__(self, repo: Path, attribution: Attribution, **kw: Any) -> SnapshotResult:
        self.paths.append(kw.get("paths"))
        return super().__call__(repo, attribution, **kw)


def test_a_batch_is_snapshot_per_model_that_emitted_its_calls() -> None:
    fake = PathsSnapshot()
    tracker, _ = _tracker(fake)
    tracker.responded("s", "model-a", "tier-a", True, None, ["w1", "b1"])
    tracker.responded("s", "model-b", "tier-b", True, "sub", ["w2"])
    calls = [
        {"tool_name": "Bash", "tool_use_id": "b1", "tool_input": {"command": "make"}},
        {"tool_name": "Write", "tool_use_id": "w2", "tool_input": {"file_path": "/srv/repo/x"}},
    ]
    done = tracker.tool_batch("s", "/srv/repo", None, calls)
    assert done is not None and done.wait(5)
    assert [(a.model, a.kind) for _, a, _ in fake.calls] == [("model-b", "ai"), ("model-a", "ai")]
    assert fake.paths == [frozenset({"/srv/repo/x"}), None]


def test_a_session_with_batches_has_no_request_boundaries_and_waits_for_nothing_to_do() -> None:
    fake = PathsSnapshot()
    tracker, _ = _tracker(fake)
    reads = [{"tool_name": "Read", "tool_use_id": "r", "tool_input": {"file_path": "/x"}}]
    assert tracker.tool_batch("s", "/srv/repo", None, reads) is None
    tracker.boundary("s", REPO)
    tracker.boundary("plain", REPO)  # another session without hooks keeps its boundaries
    assert tracker.flush(5)
    assert [a.session for _, a, _ in fake.calls] == ["plain"]


def test_background_work_belongs_to_its_launcher_and_a_real_prompt_to_the_human() -> None:
    fake = PathsSnapshot()
    tracker, _ = _tracker(fake)
    tracker.responded("s", "model-a", "tier-a", True, None, ["bg"])
    tracker.responded("s", "model-b", "tier-b", True, None, ["later"])
    done = tracker.task_finished("s", ["bg"])
    assert done is not None and done.wait(5)
    human = tracker.human_boundary("s")
    assert human is not None and human.wait(5)
    assert [a.model for _, a, _ in fake.calls] == ["model-a", "human"]


def test_a_human_boundary_waits_for_another_sessions_calls_in_flight() -> None:
    fake = PathsSnapshot()
    tracker, _ = _tracker(fake)
    tracker.book.bind("s1", REPO)
    tracker.book.bind("s2", REPO)
    tracker.responded("s2", "model-a", "tier-a", True, None, ["w"])
    write = [{"tool_name": "Write", "tool_use_id": "w", "tool_input": {"file_path": "/srv/repo/w"}}]
    threading.Timer(0.2, tracker.tool_batch, ("s2", str(REPO), None, write)).start()
    human = tracker.human_boundary("s1")
    assert human is not None and human.wait(5)
    assert [a.model for _, a, _ in fake.calls] == ["model-a", "human"]
