"""Who gets the next boundary's changes: per session, the latest response with tool_use.

Tools only run from tool_use, so the changes found at request boundary N belong to the model
of the session's most recent tool_use response before N; with none, to the human. Subagents
(`x-claude-code-agent-id`) are tracked on their own and fall back to the session's latest.
Thread-safe; the oldest sessions are forgotten beyond `max_sessions`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from switchex.tracker.records import Attribution

MAIN_AGENT = ""


@dataclass
class _Session:
    latest: tuple[str, str] | None = None  # (model, tier) of the latest tool_use response
    agents: dict[str, tuple[str, str]] = field(default_factory=dict)
    worktree: Path | None = None  # registered by a hook (authoritative)
    last_repo: Path | None = None  # the last repo a boundary of this session named
    exact: bool = False  # Claude Code's PostToolBatch hook reaches us: no request boundaries


class AttributionBook:
    """In-memory attribution state of every live session."""

    def __init__(self, max_sessions: int = 4096) -> None:
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_sessions

    def _get(self, session: str) -> _Session:
        state = self._sessions.get(session)
        if state is None:
            state = self._sessions[session] = _Session()
            while len(self._sessions) > self._max:
                self._sessions.popitem(last=False)
        self._sessions.move_to_end(session)
        return state

    def responded(
        self, session: str, model: str, tier: str, tool_use: bool, agent: str | None = None
    ) -> None:
        """Record a finished response; only one with tool_use changes the attribution."""
        if not tool_use:
            return
        with self._lock:
            state = self._get(session)
            state.latest = (model, tier)
            state.agents[agent or MAIN_AGENT] = (model, tier)

    def current(self, session: str, agent: str | None = None) -> Attribution:
        """The attribution for changes found now: the latest tool_use model, else human."""
        with self._lock:
            state = self._sessions.get(session)
            if state is None:
                return Attribution.human(session)
            latest = state.agents.get(agent or MAIN_AGENT) or state.latest
        if latest is None:
            return Attribution.human(session)
        return Attribution(latest[0], latest[1], session, "ai")

    def bind(self, session: str, worktree: Path) -> None:
        """Register the session's work tree (from a hook's `cwd`)."""
        with self._lock:
            self._get(session).worktree = worktree

    def repo_for(self, session: str, hint: Path | None) -> Path | None:
        """The repo for a boundary: the registered work tree, else `hint` (remembered)."""
        with self._lock:
            state = self._get(session)
            if hint is not None:
                state.last_repo = hint
            return state.worktree or hint or state.last_repo

    def mark_exact(self, session: str) -> None:
        """The session's tool batches arrive by hook: its request boundaries are not needed
        (and would race its subagents' tools), so `boundary` skips them from now on."""
        with self._lock:
            self._get(session).exact = True

    def is_exact(self, session: str) -> bool:
        with self._lock:
            state = self._sessions.get(session)
            return state is not None and state.exact

    def sessions_in(self, worktree: Path) -> list[str]:
        """The sessions whose repository is `worktree` (registered or last named)."""
        with self._lock:
            return [
                name
                for name, state in self._sessions.items()
                if (state.worktree or state.last_repo) == worktree
            ]

    def forget(self, session: str) -> None:
        with self._lock:
            self._sessions.pop(session, None)
