"""Reverse-apply segments to a tree by 3-way merge, never picking a side.

For a segment S with parent P, each file is merged with the current version as "ours", S's
version as base and P's version as "theirs" (`git merge-file`): S's own change is undone and
later edits elsewhere in the file are kept. Whole-file cases (created, deleted, renamed,
binary, symlink) succeed only when the file is untouched since S; anything else is a conflict.
Work happens in a scratch `Git`, so nothing reaches the repository or the work tree here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from switchex.review.git import Git
from switchex.review.segments import Segment

REGULAR = ("100644", "100755")
BINARY_PROBE = 8000


@dataclass(frozen=True)
class Entry:
    mode: str
    blob: str


@dataclass(frozen=True)
class Hunk:
    """A conflict: `count` lines from 1-based `line` of the current file, and what undoing
    the segment would put there instead."""

    line: int
    count: int
    current: str
    restored: str


@dataclass(frozen=True)
class Conflict:
    path: str
    segment: str
    reason: str
    hunks: tuple[Hunk, ...] = ()


@dataclass(frozen=True)
class Change:
    """One line of `git diff-tree --raw` between a segment's parent (old) and itself (new)."""

    status: str
    path: str
    old: Entry | None
    new: Entry | None
    old_path: str | None = None


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def encode(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def read_tree(git: Git, tree: str) -> dict[str, Entry]:
    entries = {}
    for record in git.out("ls-tree", "-r", "-z", "--full-tree", tree).split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            mode, _, sha = meta.decode().split(" ")
            entries[decode(path)] = Entry(mode, sha)
    return entries


def _entry(mode: str, sha: str) -> Entry | None:
    return None if not sha.strip("0") or mode == "000000" else Entry(mode, sha)


def tree_changes(git: Git, old: str, new: str, renames: bool = True) -> list[Change]:
    flag = "-M" if renames else "--no-renames"
    tokens = git.out("diff-tree", "-r", "-z", "--raw", flag, old, new).split(b"\0")
    changes: list[Change] = []
    it = iter(tokens)
    for meta in it:
        if not meta.startswith(b":"):
            continue
        old_mode, new_mode, old_sha, new_sha, status = meta[1:].decode().split(" ")
        path = decode(next(it))
        old_entry, new_entry = _entry(old_mode, old_sha), _entry(new_mode, new_sha)
        if status[0] in "RC":
            changes.append(Change("R", decode(next(it)), old_entry, new_entry, old_path=path))
        else:
            changes.append(Change(status[0], path, old_entry, new_entry))
    return changes


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_PROBE]


def conflict_hunks(merged: bytes) -> tuple[Hunk, ...]:
    """The conflicts in `git merge-file` output, located in the current ("ours") file."""
    hunks: list[Hunk] = []
    line = 1  # the current file's number for the next line outside a conflict
    current: list[str] | None = None
    restored: list[str] = []
    side: list[str] = []
    for text in merged.decode(errors="replace").splitlines(keepends=True):
        if text.startswith("<<<<<<< "):
            current, restored = [], []
            side = current
        elif current is None:
            line += 1
        elif text.startswith(">>>>>>> "):
            hunks.append(Hunk(line, len(current), "".join(current), "".join(restored)))
            line += len(current)
            current = None
        elif side is current and text.rstrip("\r\n") == "=======":
            side = restored
        else:
            side.append(text)
    return tuple(hunks)


@dataclass
class Reverser:
    """Undoes segments, newest first, on `files` (path -> entry of the current tree)."""

    git: Git
    files: dict[str, Entry]
    allow_conflicts: bool = False
    conflicts: list[Conflict] = field(default_factory=list)

    def reverse(self, segment: Segment) -> None:
        for change in tree_changes(self.git, segment.parent, segment.commit):
            if change.status == "A" and change.new:
                self._unadd(segment, change.path, change.new)
            elif change.status == "D" and change.old:
                self._undelete(segment, change.path, change.old)
            elif change.status == "R" and change.old_path:
                self._unrename(segment, change)
            elif change.old and change.new:
                self._unmodify(segment, change.path, change.old, change.new, change.path)

    def _conflict(self, segment: Segment, path: str, reason: str, *hunks: Hunk) -> None:
        self.conflicts.append(Conflict(path, segment.commit, reason, tuple(hunks)))

    def _unadd(self, segment: Segment, path: str, made: Entry) -> None:
        current = self.files.get(path)
        if current is None:
            return
        if current.blob == made.blob:
            del self.files[path]
        else:
            self._conflict(segment, path, f"created by {segment.who}, changed since")

    def _undelete(self, segment: Segment, path: str, before: Entry) -> None:
        current = self.files.get(path)
        if current is None:
            self.files[path] = before
        elif current.blob != before.blob:
            self._conflict(segment, path, f"deleted by {segment.who}, created again since")

    def _unrename(self, segment: Segment, change: Change) -> None:
        assert change.old and change.new and change.old_path
        if change.old_path in self.files:
            reason = f"renamed to {change.path} by {segment.who}, created again since"
            self._conflict(segment, change.old_path, reason)
        elif change.path not in self.files:
            self._conflict(segment, change.path, f"renamed by {segment.who}, deleted since")
        elif self._unmodify(segment, change.path, change.old, change.new, change.old_path):
            del self.files[change.path]

    def _unmodify(self, segment: Segment, path: str, before: Entry, after: Entry, to: str) -> bool:
        current = self.files.get(path)
        if current is None:
            self._conflict(segment, path, f"changed by {segment.who}, deleted since")
            return False
        mode = before.mode if current.mode == after.mode else current.mode
        if current.blob in (after.blob, before.blob):
            blob = before.blob if current.blob == after.blob else current.blob
            self.files[to] = Entry(mode, blob)
            return True
        merged = self._merge(segment, path, (current, after, before))
        if merged is not None:
            self.files[to] = Entry(mode, merged)
        return merged is not None

    def _merge(self, segment: Segment, path: str, entries: tuple[Entry, ...]) -> str | None:
        datas = [self.git.blob(e.blob) for e in entries]
        if any(e.mode not in REGULAR for e in entries) or any(map(is_binary, datas)):
            self._conflict(segment, path, f"binary file changed by {segment.who}, changed since")
            return None
        assert self.git.tmp is not None
        names = [self.git.tmp / name for name in ("current", "segment", "before")]
        for name, data in zip(names, datas, strict=True):
            name.write_bytes(data)
        labels = ["-L", "current", "-L", f"{segment.who} {segment.commit[:7]}"]
        labels += ["-L", f"before {segment.who}"]
        code, merged = self.git.call("merge-file", "-p", *labels, *map(str, names), ok=range(128))
        if code == 0:
            return self.git.write_blob(merged)
        self._conflict(segment, path, "overlapping edits", *conflict_hunks(merged))
        return self.git.write_blob(merged) if self.allow_conflicts else None


def write_tree(git: Git, base: str, old: dict[str, Entry], new: dict[str, Entry]) -> str:
    """The tree `base` with `old` turned into `new` (scratch index)."""
    zero = "0" * len(base)  # the null object id of the repository's hash (SHA-1 or SHA-256)
    lines = [b"0 " + zero.encode() + b"\t" + encode(p) for p in old.keys() - new.keys()]
    lines += [
        f"{e.mode} {e.blob}\t".encode() + encode(p) for p, e in new.items() if old.get(p) != e
    ]
    git.out("read-tree", base)
    git.out("update-index", "-z", "--index-info", stdin=b"".join(line + b"\0" for line in lines))
    return git.text("write-tree")


def reverse_segments(
    git: Git, base: str, segments: list[Segment], allow_conflicts: bool
) -> tuple[str, list[Conflict]]:
    """`base` with `segments` (oldest first) undone newest first, and the conflicts met."""
    files = read_tree(git, base)
    reverser = Reverser(git, dict(files), allow_conflicts)
    for segment in reversed(segments):
        reverser.reverse(segment)
    return write_tree(git, base, files, reverser.files), reverser.conflicts
