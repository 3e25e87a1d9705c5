"""Assembling a running gateway: config + journal + tracker + notifier."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from switchex.config import Config
from switchex.gateway.app import App, create_gateway
from switchex.journal.db import Journal
from switchex.notify.notifier import Notifier
from switchex.tracker.records import SnapshotResult
from switchex.tracker.session import repo_hint
from switchex.tracker.worker import Tracker

log = logging.getLogger("switchex.tracker")


class TrackingObserver:
    """Connects the gateway's request flow and Claude Code's hooks to the git tracker.

    The repository of a session is looked up once (the request's "Primary working directory"
    line) and remembered; nothing here runs git on the event loop.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self._hints: dict[str, Path | None] = {}

    def boundary(self, session: str, request: dict[str, Any], agent: str) -> str | None:
        hint = self._hints.get(session) if session else None
        if hint is None:
            found = repo_hint(request)
            hint = Path(found) if found else None
            if session and hint is not None:
                self._hints[session] = hint
        self.tracker.boundary(session, hint, agent or None)
        return str(hint) if hint else None

    def responded(self, session: str, model: str, tier: str, tool_use: bool) -> None:
        self.tracker.responded(session, model, tier, tool_use)

    def hook(self, event: str, payload: dict[str, Any]) -> None:
        """A Claude Code hook, forwarded by `switchex hook` (runs in a worker thread)."""
        session = str(payload.get("session_id") or "")
        cwd = payload.get("cwd")
        if event == "SessionStart" and isinstance(cwd, str):
            self.tracker.register(session, cwd)
        elif event == "UserPromptSubmit":
            if isinstance(cwd, str) and session not in self._hints:
                self.tracker.register(session, cwd)
                self._hints[session] = Path(cwd)
            self.tracker.human_boundary(session)
        elif event in ("Stop", "SubagentStop"):
            self.tracker.boundary(session, Path(cwd) if isinstance(cwd, str) else None)

    def close(self) -> None:
        self.tracker.close()


def snapshot_recorder(journal: Journal | None, notifier: Notifier | None) -> Any:
    """The tracker's result callback: journal row, log line, work tally for notifications."""

    def record(result: SnapshotResult) -> None:
        who = result.attribution
        if result.commit:
            log.info(
                "snapshot %s %s by %s (%s): %d file(s) +%d/-%d",
                result.worktree,
                result.commit[:10],
                who.model,
                who.tier,
                len(result.files),
                result.added,
                result.removed,
            )
        if notifier is not None and result.changed and who.kind == "ai":
            notifier.worked(who.tier, result.files, result.added, result.removed)
        if journal is not None and (result.changed or result.skipped):
            journal.record(
                "snapshots",
                {
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
                },
            )

    return record


def build_app(
    config: Config, state_dir: Path | None, default_repo: Path | None = None, track: bool = True
) -> App:
    """The app for `switchex up`: gateway, journal, tracker (unless off), notifier (if any)."""
    notifier = Notifier(config.notify) if config.notify else None
    gateway = create_gateway(config, state_dir)
    if track and config.tracking.enabled:
        tracker = Tracker(
            snapshot_recorder(gateway.journal, notifier),
            default_repo,
            max_file_bytes=config.tracking.max_file_bytes,
        )
        gateway.observer = TrackingObserver(tracker)
    if notifier is not None:
        gateway.on_switch.append(notifier.switched)
    return App(gateway, closers=[notifier.close] if notifier else [])
