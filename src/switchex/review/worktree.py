"""The work tree as a tree object, and a tree diff written back onto the work tree.

Only files are written: never HEAD, the branch, the user's index or the stash. Git does the
writing (`checkout-index` from a scratch index), so modes, symlinks and the repository's
checkout filters apply as in a checkout.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from switchex.errors import ReviewError
from switchex.review.git import Git
from switchex.review.reverse import Entry, encode, tree_changes
from switchex.tracker.snapshot import NEVER_SNAPSHOT

CREATE, MODIFY, DELETE = "create", "modify", "delete"


@dataclass(frozen=True)
class FileChange:
    path: str
    action: str
    old: Entry | None
    new: Entry | None


def disk_tree(git: Git) -> str:
    """The work tree as it is (tracked and untracked, .gitignore honoured); needs a scratch Git."""
    assert git.tmp is not None, "disk_tree writes an index: use a scratch Git"
    skip = [f":(top,exclude,literal){path}" for path in sorted(NEVER_SNAPSHOT)]
    git.out("add", "-A", "--ignore-errors", "--", ":/", *skip)
    return git.text("write-tree")


def file_changes(git: Git, old: str, new: str) -> list[FileChange]:
    changes = []
    for change in tree_changes(git, old, new, renames=False):
        action = CREATE if change.old is None else DELETE if change.new is None else MODIFY
        changes.append(FileChange(change.path, action, change.old, change.new))
    return changes


def _hash_files(git: Git, paths: list[str]) -> dict[str, str]:
    if not paths:
        return {}
    stdin = b"".join(encode(p) + b"\n" for p in paths)
    return dict(
        zip(paths, git.text("hash-object", "--stdin-paths", stdin=stdin).split(), strict=True)
    )


def _on_disk(git: Git, changes: Iterable[FileChange]) -> dict[str, str | None]:
    """Blob of each changed path as it is on disk; None when absent, "dir" for a directory."""
    found: dict[str, str | None] = {}
    files = []
    for change in changes:
        full = git.worktree / change.path
        if full.is_symlink():
            target = os.fsencode(os.readlink(full))
            found[change.path] = git.text("hash-object", "--no-filters", "--stdin", stdin=target)
        elif full.is_dir():
            found[change.path] = "dir"
        elif full.is_file():
            files.append(change.path)
        else:
            found[change.path] = None
    return found | _hash_files(git, files)


def _emptied(root: Path, directory: Path, deleted: set[str]) -> bool:
    for top, _, names in os.walk(directory):
        for name in names:
            if Path(top, name).relative_to(root).as_posix() not in deleted:
                return False
    return True


def check_disk(git: Git, changes: list[FileChange]) -> None:
    """Raise unless every file to change is still exactly as planned from."""
    found = _on_disk(git, changes)
    deleted = {c.path for c in changes if c.action == DELETE}
    moved = []
    for change in changes:
        now = found[change.path]
        expected = change.old.blob if change.old else None
        dir_emptied = now == "dir" and expected is None
        if dir_emptied and _emptied(git.worktree, git.worktree / change.path, deleted):
            continue
        if now != expected:
            moved.append(change.path)
    if moved:
        listed = ", ".join(sorted(moved)[:10])
        raise ReviewError(f"files changed on disk while reviewing: {listed}; nothing written")


def _prune(root: Path, path: Path) -> None:
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def write_changes(git: Git, new_tree: str, changes: list[FileChange]) -> None:
    """Make the work tree match `new_tree` at the changed paths (deletions first)."""
    for change in changes:
        if change.action == DELETE:
            full = git.worktree / change.path
            full.unlink(missing_ok=True)
            _prune(git.worktree, full)
    writes = [encode(c.path) + b"\0" for c in changes if c.action != DELETE]
    if writes:
        git.out("read-tree", new_tree)
        git.out("checkout-index", "-f", "-z", "--stdin", stdin=b"".join(writes))
