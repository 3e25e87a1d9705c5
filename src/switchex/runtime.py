"""Assembling a running gateway: config + journal + tracker + notifier."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from switchex.config import Config
from switchex.gateway.app import App, create_gateway
from switchex.journal.db import JournalWriter
from switchex.notify.notifier import Notifier
from switchex.secret import hook_secret
from switchex.tracker.enabled import EnabledRepos
from switchex.tracker.records import SnapshotResult
from switchex.tracker.session import repo_hint
from switchex.tracker.toolbook import notified_tool_ids
from switchex.tracker.worker import Tracker

log = logging.getLogger("switchex.tracker")


NOT_A_REPO = ("not a git repository", "does not exist", "bare repository", "not inside a work tree")
RECHECK_SECONDS = 60.0  # how long a directory found not to be a repository is left alone
HOOK_WAIT_SECONDS = 25.0  # a hook waits this long for its snapshot (init's entry allows 30)


class TrackingObserver:
    """Connects the gateway's request flow and Claude Code's hooks to the git tracker.

    The repository of a session is looked up once (the request's "Primary working directory"
    line) and remembered; nothing here runs git on the event loop, and the tracker runs git
    only in work trees the user enabled (`tracker/enabled.py`): any other path a request or
    hook names is served normally and never touched. A directory that is not a
    git work tree is left alone for a minute instead of being probed on every request, and a
    repeated skip is logged and journaled once, not per request.
    """

    def __init__(
        self, journal: JournalWriter | None, notifier: Notifier | None, clock: Any = time.monotonic
    ) -> None:
        self.journal = journal
        self.notifier = notifier
        self.clock = clock
        self.tracker: Tracker | None = None
        self._hints: dict[str, Path | None] = {}
        self._quiet: dict[Path, float] = {}
        self._last_skip: dict[Path, str] = {}
        self.on_snapshot: Callable[[float, dict[str, Any]], None] | None = None  # metrics, SSE

    def boundary(self, session: str, request: dict[str, Any], agent: str) -> str | None:
        hint = self._hints.get(session) if session else None
        if hint is None:
            found = repo_hint(request)
            hint = Path(found) if found else None
            if session and hint is not None:
                self._hints[session] = hint
        if self.tracker is not None and not self._is_quiet(hint):
            self.tracker.boundary(session, hint, agent or None)
        return str(hint) if hint else None

    def _is_quiet(self, hint: Path | None) -> bool:
        until = self._quiet.get(hint) if hint is not None else None
        return until is not None and self.clock() < until

    def responded(
        self,
        session: str,
        model: str,
        tier: str,
        tool_use: bool,
        agent: str = "",
        tool_ids: Sequence[str] = (),
    ) -> None:
        if self.tracker is not None:
            self.tracker.responded(session, model, tier, tool_use, agent or None, tool_ids)

    def hook(self, event: str, payload: dict[str, Any]) -> None:
        """A Claude Code hook (HTTP hook, or forwarded by `switchex hook`); runs in a worker
        thread. `PostToolBatch` and `UserPromptSubmit` return only when their snapshot is done
        (at most `HOOK_WAIT_SECONDS`): Claude Code waits for the hook before its next model
        request, so no later tool can race the snapshot."""
        tracker = self.tracker
        if tracker is None:
            return
        session = str(payload.get("session_id") or "")
        cwd = _text(payload.get("cwd"))
        if event in ("SessionStart", "UserPromptSubmit"):
            self._prompt(tracker, session, cwd, payload)
        elif event == "PostToolBatch":
            calls = payload.get("tool_calls")
            calls = [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
            agent = _text(payload.get("agent_id"))
            _wait(tracker.tool_batch(session, cwd, agent, calls))
        elif event == "CwdChanged" and (moved := _text(payload.get("new_cwd"))):
            tracker.moved(session, moved)
        elif event in ("Stop", "SubagentStop", "StopFailure"):
            # The agent's turn is over: none of its calls is in flight any more.
            agent = _text(payload.get("agent_id"))
            tracker.tools.settled(session, agent or "")
            if event != "StopFailure" and not tracker.book.is_exact(session):
                tracker.boundary(session, Path(cwd) if cwd else None, agent)

    def _prompt(
        self, tracker: Tracker, session: str, cwd: str | None, payload: dict[str, Any]
    ) -> None:
        """A session start or a real user prompt is a human boundary; a `<task-notification>`
        (a background Bash or subagent finished) hands what changed to the model that launched
        the task, another machine-injected prompt to the session's latest model."""
        if cwd and session not in self._hints and tracker.moved(session, cwd) is not None:
            self._hints[session] = Path(cwd)
        prompt, source = payload.get("prompt"), payload.get("source")
        notified = notified_tool_ids(prompt, source) if isinstance(prompt, str) else None
        if notified is None:
            _wait(tracker.human_boundary(session))
        else:
            _wait(tracker.task_finished(session, notified))

    def record(self, result: SnapshotResult) -> None:
        """The tracker's result callback: log line, journal row, work tally for notifications."""
        who = result.attribution
        if result.skipped:
            self._skipped(result)
            return
        self._last_skip.pop(result.worktree, None)
        if not result.changed:
            return
        log.info(
            "snapshot %s %s by %s (%s): %d file(s) +%d/-%d",
            result.worktree,
            (result.commit or "")[:10],
            who.model,
            who.tier,
            len(result.files),
            result.added,
            result.removed,
        )
        if self.notifier is not None and who.kind == "ai":
            self.notifier.worked(who.tier, result.files, result.added, result.removed)
        self._journal(result)

    def _skipped(self, result: SnapshotResult) -> None:
        reason = result.skipped or ""
        if any(words in reason for words in NOT_A_REPO):
            self._quiet[result.worktree] = self.clock() + RECHECK_SECONDS
        if self._last_skip.get(result.worktree) == reason:
            return
        self._last_skip[result.worktree] = reason
        log.info("snapshot of %s skipped: %s", result.worktree, reason)
        self._journal(result)

    def _journal(self, result: SnapshotResult) -> None:
        who = result.attribution
        row = {
            "time": time.time(),
            "repo": str(result.worktree),
            "ref": result.ref,
            "commit_id": result.commit,
            "model": who.model,
            "tier": who.tier,
            "session": who.session,
            "kind": who.kind,
            "files": len(result.files),
            "added": result.added,
            "removed": result.removed,
            "skipped": result.skipped,
            "seconds": result.seconds,
        }
        if self.on_snapshot is not None:
            self.on_snapshot(result.seconds, row)
        if self.journal is not None:
            self.journal.record("snapshots", row)

    def close(self) -> None:
        if self.tracker is not None:
            self.tracker.close()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _wait(done: threading.Event | None) -> None:
    if done is not None and not done.wait(HOOK_WAIT_SECONDS):
        log.warning("a snapshot took over %.0f s; the hook answered without it", HOOK_WAIT_SECONDS)


def build_app(
    config: Config, state_dir: Path | None, default_repo: Path | None = None, track: bool = True
) -> App:
    """The app for `switchex up`: gateway, journal, tracker (unless off), notifier (if any)."""
    notifier = (
        Notifier(config.notify.urls, config.notify.min_interval) if config.notify.urls else None
    )
    gateway = create_gateway(config, state_dir)
    if track and config.tracking.enabled:
        observer = TrackingObserver(gateway.journal, notifier)
        enabled = EnabledRepos(
            state_dir, config.tracking.repos, [default_repo] if default_repo else []
        )
        observer.tracker = Tracker(
            observer.record,
            default_repo,
            max_file_bytes=config.tracking.max_file_bytes,
            enabled=enabled,
        )
        observer.on_snapshot = gateway.view.snapshot
        gateway.observer = observer
        gateway.repo_allowed = enabled.match
    if notifier is not None:
        gateway.on_switch.append(notifier.switched)
    secret = hook_secret(state_dir) if state_dir else None
    return App(gateway, closers=[notifier.close] if notifier else [], hook_secret=secret)
