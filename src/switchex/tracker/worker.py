"""Taking snapshots off the request path.

The gateway calls `boundary()` when a request arrives and `responded()` when a response ends;
both only touch memory. With Claude Code's hooks, `tool_batch()` (PostToolBatch) and
`task_finished()` (a `<task-notification>` prompt) enqueue snapshots attributed by tool_use id
and hand back an event the hook can wait on; a session that sends batches has no request
boundaries any more (tool-exact mode). The attribution of a boundary is captured when it is
enqueued (the latest tool_use response *before* it), then a thread per repository drains
that repository's queue in order, one snapshot per run of equal attributions, under the
repository lock.
Nothing here raises into the caller: failures are logged and reported through `on_result`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from switchex.tracker.attribution import AttributionBook
from switchex.tracker.enabled import EnabledRepos
from switchex.tracker.records import Attribution, SnapshotResult
from switchex.tracker.repo import resolve_worktree
from switchex.tracker.snapshot import MAX_FILE_BYTES, take_snapshot
from switchex.tracker.toolbook import ToolBook, plan_batch

log = logging.getLogger("switchex.tracker")

SnapshotFn = Callable[..., SnapshotResult]


IDLE_SECONDS = 30.0  # how long a repo's worker thread waits for more work
# How long a human boundary waits for other sessions' tool calls in the same work tree to
# reach their own batch (so their output is theirs, not the human's).
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class _Job:
    repo: Path
    attribution: Attribution
    baseline: bool  # first snapshot of a new chain by the human → kind "baseline"
    paths: frozenset[str] | None = None  # only these changed (a Write/Edit batch); None: scan
    done: list[threading.Event] = field(default_factory=list, compare=False)


@dataclass
class _Queue:
    jobs: deque[_Job]
    running: bool = False


class Tracker:
    """Snapshots at request boundaries, attributed to the model whose tools made the changes."""

    def __init__(
        self,
        on_result: Callable[[SnapshotResult], None],
        default_repo: Path | None = None,
        *,
        max_file_bytes: int = MAX_FILE_BYTES,
        snapshot: SnapshotFn = take_snapshot,
        book: AttributionBook | None = None,
        enabled: EnabledRepos | None = None,
    ) -> None:
        """`enabled`: the work trees the user allowed; a boundary anywhere else is dropped
        before any git call. None (unit tests with a fake `snapshot`) allows every path."""
        self._on_result = on_result
        self._default = default_repo
        self._max_file_bytes = max_file_bytes
        self._snapshot = snapshot
        self.book = book or AttributionBook()
        self.tools = ToolBook()
        self._cond = threading.Condition()
        self._queues: dict[str, _Queue] = {}
        self._pending = 0
        self._closed = False
        self._enabled = enabled

    def allowed(self, path: Path | None) -> Path | None:
        """The enabled work tree holding `path` (file system only, no git), else None."""
        if path is None or self._enabled is None:
            return path
        return self._enabled.match(path)

    def boundary(self, session: str, repo: Path | None, agent: str | None = None) -> None:
        """A request arrived: snapshot what the session's last tool_use response did (not in
        tool-exact mode, where the session's batches do that)."""
        self.tools.settled(session, agent or "")
        if self.book.is_exact(session):
            return
        target = self.allowed(self.book.repo_for(session, repo) or self._default)
        if target is not None:
            attribution = self.book.current(session, agent)
            self._enqueue(_Job(target, attribution, attribution.kind == "human"))

    def responded(
        self,
        session: str,
        model: str,
        tier: str,
        tool_use: bool,
        agent: str | None = None,
        tool_ids: Sequence[str] = (),
    ) -> None:
        """A response finished; with tool_use its model owns the next boundary's changes,
        and each of its `tool_ids` is remembered as emitted by it."""
        self.book.responded(session, model, tier, tool_use, agent)
        if tool_ids:
            self.tools.emitted(session, model, tier, tool_ids, agent or "")

    def tool_batch(
        self, session: str, cwd: str | None, agent: str | None, calls: Sequence[Mapping[str, Any]]
    ) -> threading.Event | None:
        """PostToolBatch: one snapshot per model that emitted the batch's calls (only the
        written paths for a batch of Write/Edit). The event is set when they are done; None
        when nothing is to be snapshot."""
        self.book.mark_exact(session)
        self.tools.batched(session, [str(c.get("tool_use_id") or "") for c in calls])
        target = self.allowed(self.book.repo_for(session, Path(cwd) if cwd else None))
        target = target or self.allowed(self._default)
        parts = plan_batch(calls, lambda tool_id: self._owner(session, agent, tool_id))
        if target is None or not parts:
            return None
        done = threading.Event()
        for part in parts:
            job = _Job(target, part.attribution, False, part.paths)
            self._enqueue(replace(job, done=[done] if part is parts[-1] else []))
        return done

    def task_finished(self, session: str, tool_ids: Sequence[str]) -> threading.Event | None:
        """A background Bash or subagent finished (`<task-notification>`): what changed since
        belongs to the model that launched it (no known id: the session's latest model), never
        to the human."""
        owners = [o for o in (self.tools.owner(session, i) for i in tool_ids) if o is not None]
        who = owners[0] if owners else self.book.current(session)
        target = self.allowed(self.book.repo_for(session, None) or self._default)
        if target is None:
            return None
        done = threading.Event()
        self._enqueue(_Job(target, who, who.kind == "human", None, [done]))
        return done

    def _owner(self, session: str, agent: str | None, tool_id: str) -> Attribution:
        """Who emitted `tool_id`; unknown ids (a restarted gateway) → the agent's latest."""
        return self.tools.owner(session, tool_id) or self.book.current(session, agent)

    def register(self, session: str, cwd: str) -> Path | None:
        """Hook registration: bind the session to the work tree holding `cwd` and take a
        snapshot (baseline for a new chain); None when `cwd` is in no enabled work tree.
        Reads the file system (without `enabled`: runs `git rev-parse`): call it off the
        event loop."""
        enabled = self._enabled
        worktree = enabled.match(cwd) if enabled is not None else resolve_worktree(cwd)
        if worktree is not None:
            self.book.bind(session, worktree)
            self._enqueue(_Job(worktree, Attribution.human(session), True))
        return worktree

    def human_boundary(self, session: str) -> threading.Event | None:
        """UserPromptSubmit of a real prompt: changes since the last response are the human's.
        The event is set once that snapshot is done (None: no repository to snapshot)."""
        target = self.allowed(self.book.repo_for(session, None) or self._default)
        if target is None:
            return None
        others = [s for s in self.book.sessions_in(target) if s != session]
        if others and not self.tools.wait_settled(others, SETTLE_SECONDS):
            log.info(
                "%s: another session's tools still run; their output may count as human", target
            )
        done = threading.Event()
        self._enqueue(_Job(target, Attribution.human(session), True, None, [done]))
        return done

    def moved(self, session: str, cwd: str) -> Path | None:
        """Hook `cwd` (SessionStart, a prompt, CwdChanged): the session works in the enabled
        work tree holding `cwd`, if any; no snapshot (the caller decides)."""
        enabled = self._enabled
        worktree = enabled.match(cwd) if enabled is not None else resolve_worktree(cwd)
        if worktree is not None:
            self.book.bind(session, worktree)
        return worktree

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued snapshot is done; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def close(self, timeout: float = 5.0) -> bool:
        """Accept no more work and wait for queued snapshots; False if some are still running."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        return self.flush(timeout)

    def _enqueue(self, job: _Job) -> None:
        key = os.path.abspath(job.repo)
        with self._cond:
            if self._closed:
                _release([job])
                return
            queue = self._queues.setdefault(key, _Queue(deque()))
            queue.jobs.append(job)
            self._pending += 1
            if queue.running:  # its thread is busy or idling: wake it, start nothing
                self._cond.notify_all()
                return
            queue.running = True
            try:
                threading.Thread(
                    target=self._drain, args=(queue,), name=f"switchex-tracker {key}", daemon=True
                ).start()
            except RuntimeError:
                log.exception("cannot start a snapshot thread for %s", key)
                self._pending -= len(queue.jobs)
                _release(list(queue.jobs))
                queue.jobs.clear()
                queue.running = False

    def _drain(self, queue: _Queue) -> None:
        while True:
            with self._cond:
                # Idle a while before exiting: starting a thread per request would cost the
                # event loop a thread start (and its GIL hand-offs) on every boundary.
                self._cond.wait_for(lambda: bool(queue.jobs) or self._closed, IDLE_SECONDS)
                if not queue.jobs:
                    queue.running = False
                    self._cond.notify_all()
                    return
                batch = list(queue.jobs)
                queue.jobs.clear()
            runs = _coalesce(batch)
            for i, job in enumerate(runs):
                self._run(job, later=runs[i + 1 :])
            _release(batch)
            with self._cond:
                self._pending -= len(batch)
                self._cond.notify_all()

    def _run(self, job: _Job, later: list[_Job]) -> None:
        try:
            result = self._snapshot(
                job.repo,
                job.attribution,
                max_file_bytes=self._max_file_bytes,
                baseline=job.baseline,
                paths=job.paths,
            )
        except Exception as exc:  # a bug or an injected failure: report it, keep going
            log.exception("snapshot of %s failed", job.repo)
            result = _failed(job, f"internal error: {exc!r}")
        if later and result.changed and job.paths is None:
            # Ran after later boundaries were queued: their models' tools may have run too.
            others = ", ".join(sorted({_who(j.attribution) for j in later}))
            note = f"ran late: may include changes of {others}"
            result = replace(result, notes=(*result.notes, note))
            log.warning("snapshot of %s %s", job.repo, note)
        if result.skipped:
            log.debug("snapshot of %s skipped: %s", job.repo, result.skipped)
        try:
            self._on_result(result)
        except Exception:
            log.exception("on_result failed for a snapshot of %s", job.repo)


def _who(attribution: Attribution) -> str:
    return f"{attribution.model} ({attribution.tier})"


def _coalesce(batch: list[_Job]) -> list[_Job]:
    """One job per run of consecutive jobs with the same repo, attribution and kind; their
    paths are merged (a scan covers any paths)."""
    runs: list[_Job] = []
    for job in batch:
        last = runs[-1] if runs else None
        if last is None or (last.repo, last.attribution, last.baseline) != (
            job.repo,
            job.attribution,
            job.baseline,
        ):
            runs.append(job)
            continue
        paths = None if last.paths is None or job.paths is None else last.paths | job.paths
        runs[-1] = replace(last, paths=paths)
    return runs


def _release(jobs: list[_Job]) -> None:
    """Wake whoever waits for these jobs (done, failed or dropped alike)."""
    for job in jobs:
        for event in job.done:
            event.set()


def _failed(job: _Job, reason: str) -> SnapshotResult:
    return SnapshotResult.skip(job.repo, "", job.attribution, reason, 0.0)
