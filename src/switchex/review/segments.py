"""Which segments of the snapshot chain belong to which model, and where each one stands.

A segment is one `ai` or `human` snapshot commit's diff against its parent. `revert` and
`baseline` snapshots are bookkeeping, never a model's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from switchex.errors import ReviewError, TrackerError
from switchex.review.git import Git
from switchex.review.state import PENDING, Event, Refs, decisions, read_events
from switchex.tracker.diffstat import NUMSTAT_ARGS, Stat
from switchex.tracker.snapshot import SnapshotCommit, chain_ref, read_chain, resolve_worktree

REVIEWABLE = frozenset({"ai", "human"})
HUMAN = "human"


@dataclass(frozen=True)
class Segment:
    commit: str
    parent: str
    model: str
    tier: str
    kind: str
    time: datetime
    status: str
    files: tuple[str, ...]
    added: int
    removed: int

    @property
    def who(self) -> str:
        return HUMAN if self.kind == HUMAN else self.model


@dataclass(frozen=True)
class Review:
    """One work tree's snapshot chain and review decisions, read once."""

    git: Git
    chain_ref: str
    refs: Refs
    segments: tuple[Segment, ...]
    events: tuple[Event, ...]
    reverts: int
    left_out: tuple[str, ...] = ()  # files some snapshot left out (size cap, unreadable)

    @property
    def worktree(self) -> Path:
        return self.git.worktree

    def select(self, name: str) -> list[Segment]:
        """All segments of MODEL `name` (tier, exact model id or `human`), oldest first."""
        chosen = [s for s in self.segments if matches(s, name)]
        if not chosen:
            known = ", ".join(known_names(self.segments)) or "none"
            raise ReviewError(f"unknown model {name!r}; known models: {known}")
        return chosen

    def pending(self, name: str) -> list[Segment]:
        return [s for s in self.select(name) if s.status == PENDING]


def matches(segment: Segment, name: str) -> bool:
    if name == HUMAN:
        return segment.kind == HUMAN
    return name in (segment.model, segment.tier)


def known_names(segments: Iterable[Segment]) -> list[str]:
    names = {s.who for s in segments} | {s.tier for s in segments if s.kind != HUMAN}
    return sorted(n for n in names if n)


def to_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value))


def numstats(git: Git, commits: Sequence[str]) -> dict[str, Stat]:
    """Files (renames as the new path) and lines added / removed of each commit, one git call."""
    stats = {commit: Stat() for commit in commits}
    stdin = "".join(f"{commit}\n" for commit in commits).encode()
    out = git.out("diff-tree", "--stdin", *NUMSTAT_ARGS, "--root", stdin=stdin)
    current = Stat()
    for token in out.decode("utf-8", "surrogateescape").split("\0"):
        if not token:
            continue
        if "\t" not in token and not current.paths_due:
            current = stats.setdefault(token, Stat())
            continue
        current.feed(token)
    return stats


def to_segment(snap: SnapshotCommit, parent: str, stat: Stat, status: str) -> Segment:
    return Segment(
        commit=snap.commit,
        parent=parent,
        model=snap.model,
        tier=snap.tier,
        kind=snap.kind,
        time=to_datetime(snap.time),
        status=status,
        files=tuple(stat.files),
        added=stat.added,
        removed=stat.removed,
    )


def open_worktree(path: Path) -> Path:
    if not path.is_dir():
        raise ReviewError(f"{path}: no such directory")
    try:
        worktree = resolve_worktree(path)
    except TrackerError as exc:
        raise ReviewError(f"{path}: not a git work tree ({exc})") from exc
    if worktree is None:
        raise ReviewError(f"{path}: not a git work tree")
    return Path(worktree)


def load_review(path: Path) -> Review:
    """Read the chain and decisions of the work tree at `path` (never writes)."""
    worktree = open_worktree(path)
    git = Git(worktree)
    ref = chain_ref(worktree)
    chain: Sequence[SnapshotCommit] = read_chain(worktree)
    if not chain:
        raise ReviewError(f"{worktree}: no switchex history ({ref} does not exist yet)")
    refs = Refs.for_chain(ref)
    events = tuple(read_events(git, refs))
    status = decisions(events)
    chosen = [snap for snap in chain if snap.kind in REVIEWABLE]
    stats = numstats(git, [snap.commit for snap in chosen])
    empty = git.empty_tree()
    segments = tuple(
        to_segment(snap, snap.parent or empty, stats[snap.commit], status.get(snap.commit, PENDING))
        for snap in chosen
    )
    reverts = sum(1 for snap in chain if snap.kind == "revert")
    left_out = tuple(dict.fromkeys(path for snap in chain for path in snap.left_out))
    return Review(git, ref, refs, segments, events, reverts, left_out)
