"""The tracker's data types and its commit message format (no I/O).

A snapshot commit's message is a subject, a blank line and four trailers, then one
`Switchex-Left-Out: <path>` per file the snapshot left out (over the size cap, unreadable):

    switchex: qwen2.5-coder:7b (local)

    Switchex-Model: qwen2.5-coder:7b
    Switchex-Tier: local
    Switchex-Session: 0b6f…
    Switchex-Kind: ai
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

KINDS = ("ai", "human", "revert", "baseline")
LEFT_OUT = "Switchex-Left-Out"
TRAILER_KEYS = ("Switchex-Model", "Switchex-Tier", "Switchex-Session", "Switchex-Kind")


@dataclass(frozen=True)
class Attribution:
    """Who a snapshot's changes are attributed to."""

    model: str  # exact model id, e.g. "qwen2.5-coder:7b", or "human"
    tier: str  # tier name, e.g. "gemini-flash", or "human"
    session: str  # Claude Code session id ("" if unknown)
    kind: str  # "ai" | "human" | "revert" | "baseline"

    @classmethod
    def human(cls, session: str = "") -> Attribution:
        return cls("human", "human", session, "human")

    @classmethod
    def baseline(cls, session: str = "") -> Attribution:
        return cls("human", "human", session, "baseline")


@dataclass(frozen=True)
class SnapshotResult:
    """What one `take_snapshot` call did.

    `skipped_files` names files left out of the snapshot (over the size cap, unreadable, an
    embedded repository without a commit); `notes` says why, in words.
    """

    worktree: Path
    ref: str
    commit: str | None
    parent: str | None
    changed: bool
    skipped: str | None
    files: tuple[str, ...]
    added: int
    removed: int
    seconds: float
    attribution: Attribution
    skipped_files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def skip(
        cls, worktree: Path, ref: str, attribution: Attribution, reason: str, seconds: float
    ) -> SnapshotResult:
        """A snapshot that was not taken, and why."""
        return cls(worktree, ref, None, None, False, reason, (), 0, 0, seconds, attribution)


@dataclass(frozen=True)
class SnapshotCommit:
    """One commit of a snapshot chain, with its trailers parsed."""

    commit: str
    parent: str | None
    tree: str
    time: float
    model: str
    tier: str
    session: str
    kind: str
    subject: str = ""
    left_out: tuple[str, ...] = ()

    @property
    def attribution(self) -> Attribution:
        return Attribution(self.model, self.tier, self.session, self.kind)


def clean_value(value: str) -> str:
    """A trailer value on one line: control characters become spaces, ends are trimmed."""
    return "".join(" " if ord(c) < 0x20 or ord(c) == 0x7F else c for c in value).strip()


def commit_message(
    attribution: Attribution, message: str | None = None, left_out: tuple[str, ...] = ()
) -> str:
    """The snapshot commit message: subject (or `message`), blank line, the four trailers
    and a `Switchex-Left-Out` trailer per file left out."""
    model, tier = clean_value(attribution.model), clean_value(attribution.tier)
    head = _clean_text(message or "") or f"switchex: {model} ({tier})"
    trailers = (
        f"Switchex-Model: {model}",
        f"Switchex-Tier: {tier}",
        f"Switchex-Session: {clean_value(attribution.session)}",
        f"Switchex-Kind: {clean_value(attribution.kind)}",
        *(f"{LEFT_OUT}: {clean_value(path)}" for path in left_out),
    )
    return head + "\n\n" + "\n".join(trailers) + "\n"


def _clean_text(text: str) -> str:
    keep = "\n\t"
    return "".join(c for c in text if c in keep or (ord(c) >= 0x20 and ord(c) != 0x7F)).strip()


def parse_left_out(message: str) -> tuple[str, ...]:
    """The `Switchex-Left-Out` paths of the message's last paragraph."""
    last = message.strip().split("\n\n")[-1]
    prefix = LEFT_OUT + ":"
    return tuple(ln[len(prefix) :].strip() for ln in last.splitlines() if ln.startswith(prefix))


def parse_trailers(message: str) -> dict[str, str]:
    """The Switchex-* trailers of the message's last paragraph (key → value)."""
    last = message.strip().split("\n\n")[-1]
    found: dict[str, str] = {}
    for line in last.splitlines():
        key, sep, value = line.partition(":")
        if sep and key in TRAILER_KEYS:
            found[key] = value.strip()
    return found
