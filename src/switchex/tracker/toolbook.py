"""Which model emitted each `tool_use` id, and what a batch of tool calls asks the tracker to do.

The gateway sees every answer before Claude Code runs its tools: it records the ids of the
answer's `tool_use` blocks with the tier and model that served it (`ToolBook.emitted`).
Claude Code's `PostToolBatch` hook later names those ids; `plan_batch` turns the batch into
snapshot parts, one per model, so each model gets exactly the changes of its own calls.
Pure and thread-safe; the oldest ids are forgotten beyond `max_ids`.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from switchex.tracker.records import Attribution

# The tools whose only effect on disk is the file named in their input.
WRITERS: Mapping[str, str] = {
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookEdit": "notebook_path",
}
# Tools that never change the work tree themselves: a batch of only these needs no snapshot.
# Task/Agent run a subagent whose own tools come in the subagent's own batches.
READERS = frozenset(
    {"Read", "Glob", "Grep", "LS", "WebFetch", "WebSearch", "TodoWrite", "Task", "Agent"}
    | {"TaskOutput", "BashOutput", "ToolSearch", "AskUserQuestion", "ExitPlanMode"}
)
TASK_NOTIFICATION = "<task-notification>"
MACHINE_SOURCES = frozenset({"system", "loop_wakeup", "schedule_wakeup", "poll_event"})
_TOOL_USE_ID = re.compile(r"<tool-use-id>\s*([A-Za-z0-9_:.-]+)\s*</tool-use-id>")


@dataclass(frozen=True)
class BatchPart:
    """One snapshot of a batch: whose changes, and which paths (None: scan the work tree)."""

    attribution: Attribution
    paths: frozenset[str] | None


class ToolBook:
    """tool_use id → the attribution of the answer that emitted it (per session), and which
    emitted calls are still in flight (emitted, not yet in a batch).

    A call is in flight from its answer until its `PostToolBatch` (`batched`) or the next
    request of the same agent (`settled`: Claude Code sends it only after the batch ended,
    even when the user interrupted the tools and no batch came).
    """

    def __init__(self, max_ids: int = 65536) -> None:
        self._owners: OrderedDict[tuple[str, str], Attribution] = OrderedDict()
        self._open: dict[tuple[str, str], set[str]] = {}  # (session, agent) → ids in flight
        self._cond = threading.Condition()
        self._max = max_ids

    def emitted(
        self, session: str, model: str, tier: str, ids: Sequence[str], agent: str = ""
    ) -> None:
        """An answer served by `model` on `tier` asked for the tool calls `ids`."""
        owner = Attribution(model, tier, session, "ai")
        with self._cond:
            for tool_id in ids:
                self._owners[(session, tool_id)] = owner
                self._owners.move_to_end((session, tool_id))
            while len(self._owners) > self._max:
                self._owners.popitem(last=False)
            if ids:
                self._open.setdefault((session, agent), set()).update(ids)

    def owner(self, session: str, tool_id: str) -> Attribution | None:
        with self._cond:
            return self._owners.get((session, tool_id))

    def batched(self, session: str, ids: Sequence[str]) -> None:
        """These calls' batch is being snapshot: they are no longer in flight."""
        with self._cond:
            for key in [k for k in self._open if k[0] == session]:
                self._open[key].difference_update(ids)
                if not self._open[key]:
                    del self._open[key]
            self._cond.notify_all()

    def settled(self, session: str, agent: str = "") -> None:
        """The agent sent its next request: none of its calls is in flight any more."""
        with self._cond:
            if self._open.pop((session, agent), None) is not None:
                self._cond.notify_all()

    def wait_settled(self, sessions: Sequence[str], timeout: float) -> bool:
        """Wait (at most `timeout` s) until no call of `sessions` is in flight."""
        wanted = set(sessions)
        with self._cond:
            return self._cond.wait_for(
                lambda: not any(key[0] in wanted for key in self._open), timeout
            )


def plan_batch(
    calls: Sequence[Mapping[str, Any]], owner: Callable[[str], Attribution]
) -> list[BatchPart]:
    """The snapshots a `PostToolBatch` needs, in order: first one per model whose calls were
    all file writers (only their paths), then one scan per model with any other tool.

    `owner(tool_use_id)` names who emitted a call. Calls of read-only tools are left out; a
    batch of only those needs no snapshot at all.
    """
    groups: dict[Attribution, set[str] | None] = {}
    for call in calls:
        name = str(call.get("tool_name") or "")
        if name in READERS:
            continue
        who = owner(str(call.get("tool_use_id") or ""))
        path = _written_path(name, call.get("tool_input"))
        paths = groups.setdefault(who, set())
        if path is None or paths is None:
            groups[who] = None
        else:
            paths.add(path)
    parts = [BatchPart(who, None if p is None else frozenset(p)) for who, p in groups.items()]
    return [p for p in parts if p.paths is not None] + [p for p in parts if p.paths is None]


def _written_path(name: str, tool_input: object) -> str | None:
    key = WRITERS.get(name)
    value = tool_input.get(key) if key and isinstance(tool_input, Mapping) else None
    return value if isinstance(value, str) and value else None


def notified_tool_ids(prompt: str, source: object = None) -> list[str] | None:
    """The launching `tool_use` ids of a machine-injected `UserPromptSubmit`; None for a
    real prompt (typed by the user, or given to `claude -p`).

    Claude Code 2.1.332 announces a finished background Bash or subagent with a prompt that
    starts `<task-notification>` and names the launching call's `<tool-use-id>`. Newer
    payloads also say `source`: `system`, `loop_wakeup`, `schedule_wakeup` and `poll_event`
    are injected by Claude Code (no ids: the session's latest model), `user` and `sdk` are a
    person's.
    """
    if prompt.lstrip().startswith(TASK_NOTIFICATION):
        return _TOOL_USE_ID.findall(prompt)
    return [] if source in MACHINE_SOURCES else None
