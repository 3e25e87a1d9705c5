"""`--analyze` (the default) and `--diff MODEL`: read-only views of the chain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from switchex.review.segments import HUMAN, Segment, load_review
from switchex.review.state import ACCEPTED, PENDING, ROLLED_BACK, undoable
from switchex.tracker.diffstat import PATCH_ARGS


@dataclass(frozen=True)
class ModelUsage:
    """What the journal knows about one exact model id."""

    requests: int
    input_tokens: int
    output_tokens: int
    cost: float | None  # None: unknown price


@dataclass(frozen=True)
class Tally:
    segments: int
    files: tuple[str, ...]
    added: int
    removed: int
    commits: tuple[str, ...]

    @classmethod
    def of(cls, segments: Iterable[Segment]) -> Tally:
        chosen = list(segments)
        files = sorted({f for s in chosen for f in s.files})
        return cls(
            len(chosen),
            tuple(files),
            sum(s.added for s in chosen),
            sum(s.removed for s in chosen),
            tuple(s.commit for s in chosen),
        )


@dataclass(frozen=True)
class ModelReport:
    model: str
    tiers: tuple[str, ...]
    pending: Tally
    accepted: Tally
    rolled_back: Tally
    first: datetime | None
    last: datetime | None
    usage: ModelUsage | None


@dataclass(frozen=True)
class Analysis:
    worktree: Path
    chain_ref: str
    models: tuple[ModelReport, ...]
    reverts: int
    can_undo: bool
    left_out: tuple[str, ...] = ()


def report(model: str, segments: list[Segment], usage: ModelUsage | None) -> ModelReport:
    def by(status: str) -> Tally:
        return Tally.of(s for s in segments if s.status == status)

    tiers = tuple(sorted({s.tier for s in segments if s.tier and s.kind != HUMAN}))
    times = [s.time for s in segments]
    return ModelReport(
        model,
        tiers,
        by(PENDING),
        by(ACCEPTED),
        by(ROLLED_BACK),
        min(times, default=None),
        max(times, default=None),
        usage,
    )


def analyze(worktree: Path, usage: Mapping[str, ModelUsage] | None = None) -> Analysis:
    """Per model: pending / accepted / rolled-back segments, files, lines, time span, usage."""
    review = load_review(worktree)
    grouped: dict[str, list[Segment]] = {}
    for segment in review.segments:
        grouped.setdefault(segment.who, []).append(segment)
    for model in usage or {}:
        grouped.setdefault(model, [])
    models = tuple(report(m, segs, (usage or {}).get(m)) for m, segs in grouped.items())
    return Analysis(
        review.worktree,
        review.chain_ref,
        models,
        review.reverts,
        undoable(review.events) is not None,
        review.left_out,
    )


@dataclass(frozen=True)
class SegmentPatch:
    segment: Segment
    patch: str


def pending_diff(worktree: Path, target: str) -> list[SegmentPatch]:
    """MODEL's pending segments as patches against their parents, oldest first."""
    review = load_review(worktree)
    args = ("diff-tree", *PATCH_ARGS)
    return [
        SegmentPatch(s, review.git.out(*args, s.parent, s.commit).decode(errors="replace"))
        for s in review.pending(target)
    ]
