"""Review decisions, kept as refs next to the snapshot chain they judge.

    refs/switchex/review/<key>/log         one commit per decision, chained (first parent)
    refs/switchex/review/<key>/backup/<n>  the work tree before rollback / undo number n

`<key>` is the chain's own key (`refs/switchex/snapshots/<key>`). A decision commit has the
empty tree and trailers: `Switchex-Review: accept|rollback|undo`, `Switchex-Target: <MODEL as
given>`, one `Switchex-Segment: <snapshot commit>` per segment decided, and for rollback and
undo `Switchex-Backup:` / `Switchex-Revert:` / `Switchex-Undoes: <decision commit>`, and
one `Switchex-Conflict: <path>` per file a rollback with `--allow-conflicts` left
conflicted (a segment kept whole by a conflict is not listed: it stays pending).
Undoing a rollback makes its segments pending again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from switchex.errors import ReviewError
from switchex.review.git import Git

ACCEPTED = "accepted"
ROLLED_BACK = "rolled_back"
PENDING = "pending"
SNAPSHOTS_PREFIX = "refs/switchex/snapshots/"


@dataclass(frozen=True)
class Refs:
    log: str
    backups: str

    @classmethod
    def for_chain(cls, chain_ref: str) -> Refs:
        key = chain_ref.removeprefix(SNAPSHOTS_PREFIX).strip("/") or "default"
        return cls(
            log=f"refs/switchex/review/{key}/log", backups=f"refs/switchex/review/{key}/backup/"
        )


@dataclass(frozen=True)
class Event:
    action: str
    target: str
    segments: tuple[str, ...] = ()
    backup: str | None = None
    revert: str | None = None
    undoes: str | None = None
    commit: str = ""
    conflicts: tuple[str, ...] = ()  # files left conflicted (rollback --allow-conflicts)

    def message(self) -> str:
        lines = [f"Switchex-Review: {self.action}", f"Switchex-Target: {self.target}"]
        lines += [f"Switchex-Segment: {sha}" for sha in self.segments]
        lines += [f"Switchex-Conflict: {path}" for path in self.conflicts]
        for key, value in (
            ("Backup", self.backup),
            ("Revert", self.revert),
            ("Undoes", self.undoes),
        ):
            if value:
                lines.append(f"Switchex-{key}: {value}")
        n = len(self.segments)
        subject = f"switchex review: {self.action} {self.target} ({n} segment{'s' * (n != 1)})"
        return subject + "\n\n" + "\n".join(lines) + "\n"


def parse_event(commit: str, body: str) -> Event | None:
    fields: dict[str, list[str]] = {}
    for line in body.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key.startswith("Switchex-"):
            fields.setdefault(key.removeprefix("Switchex-"), []).append(value.strip())
    if "Review" not in fields:
        return None

    def one(key: str) -> str | None:
        return fields.get(key, [None])[0]

    return Event(
        action=fields["Review"][0],
        target=one("Target") or "",
        segments=tuple(fields.get("Segment", [])),
        backup=one("Backup"),
        revert=one("Revert"),
        undoes=one("Undoes"),
        commit=commit,
        conflicts=tuple(fields.get("Conflict", [])),
    )


def read_events(git: Git, refs: Refs) -> list[Event]:
    """All decisions, oldest first."""
    if git.rev(refs.log) is None:
        return []
    raw = git.out("log", "--first-parent", "--reverse", "--format=%H%x00%B%x01", refs.log)
    events = []
    for record in raw.decode().split("\x01"):
        commit, _, body = record.strip().partition("\x00")
        event = parse_event(commit, body) if commit else None
        if event:
            events.append(event)
    return events


def append_event(git: Git, refs: Refs, event: Event) -> str:
    """Record one decision; compare-and-swap on the log ref."""
    head = git.rev(refs.log)
    commit = git.commit(git.empty_tree(write=True), [head] if head else [], event.message())
    git.out("update-ref", "-m", f"switchex review {event.action}", refs.log, commit, head or "")
    return commit


def decisions(events: Iterable[Event]) -> dict[str, str]:
    """Snapshot commit -> ACCEPTED / ROLLED_BACK; absent means pending."""
    status: dict[str, str] = {}
    by_commit: dict[str, Event] = {}
    for event in events:
        by_commit[event.commit] = event
        if event.action == "accept":
            status.update(dict.fromkeys(event.segments, ACCEPTED))
        elif event.action == "rollback":
            status.update(dict.fromkeys(event.segments, ROLLED_BACK))
        elif event.action == "undo" and event.undoes in by_commit:
            for sha in by_commit[event.undoes].segments:
                status.pop(sha, None)
    return status


def undoable(events: Sequence[Event]) -> Event | None:
    """The latest rollback not undone yet."""
    undone = {event.undoes for event in events if event.action == "undo"}
    for event in reversed(events):
        if event.action == "rollback" and event.commit not in undone:
            return event
    return None


def save_backup(git: Git, refs: Refs, commit: str) -> str:
    """Keep `commit` under the next backup ref; returns the ref."""
    out = git.text("for-each-ref", "--format=%(refname)", refs.backups)
    numbers = [int(n) for n in (r.removeprefix(refs.backups) for r in out.split()) if n.isdigit()]
    ref = f"{refs.backups}{max(numbers, default=0) + 1}"
    git.out("update-ref", "-m", "switchex review backup", ref, commit, "")
    return ref


def require_target(name: str) -> str:
    if not name or any(ord(ch) < 32 for ch in name):
        raise ReviewError(f"bad model name: {name!r}")
    return name
