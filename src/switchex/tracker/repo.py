"""Finding the work tree, its git directories and its snapshot chain ref."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from switchex.errors import TrackerError
from switchex.tracker.git import first_line, run
from switchex.tracker.refnames import encode_ref_component

REF_PREFIX = "refs/switchex/snapshots/"
MAIN_KEY = "main"

_BUSY_MARKERS = (
    ("index.lock", "index is locked (index.lock): another git command is running"),
    ("MERGE_HEAD", "merge in progress"),
    ("rebase-merge", "rebase in progress"),
    ("rebase-apply", "rebase or am in progress"),
    ("CHERRY_PICK_HEAD", "cherry-pick in progress"),
    ("REVERT_HEAD", "revert in progress"),
)


@dataclass(frozen=True)
class Repo:
    """A non-bare work tree: its top level, its own git dir and the shared (common) one."""

    worktree: Path
    git_dir: Path
    common_dir: Path

    @property
    def linked_name(self) -> str | None:
        """The name of a linked work tree (`.git/worktrees/<name>`), None for the main one."""
        return None if self.git_dir == self.common_dir else self.git_dir.name

    @property
    def ref(self) -> str:
        return _ref_for(self.linked_name)

    @property
    def index(self) -> Path:
        return self.git_dir / "index"


def _ref_for(linked_name: str | None) -> str:
    if linked_name is None:
        return REF_PREFIX + MAIN_KEY
    return REF_PREFIX + "wt-" + encode_ref_component(linked_name)


def probe(path: str | Path) -> Repo | str:
    """The repository whose work tree contains `path`, or the reason there is none."""
    target = Path(path)
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"symlink loop at {path}"
        if exc.errno == errno.ENOENT:
            return f"work tree {path} does not exist"
        return f"cannot access {path}: {exc.strerror}"
    if not stat.S_ISDIR(mode):
        target = target.parent
    try:
        proc = run(
            target,
            [
                "rev-parse",
                "--is-bare-repository",
                "--path-format=absolute",
                "--git-dir",
                "--git-common-dir",
                "--show-toplevel",
            ],
            timeout=30.0,
        )
    except TrackerError as exc:
        return str(exc)
    lines = os.fsdecode(proc.stdout).splitlines()
    if lines[:1] == ["true"]:
        return "bare repository"
    if proc.returncode != 0 or len(lines) != 4:
        message = first_line(proc.stderr)
        if "not a git repository" in message:
            return "not a git repository"
        if "must be run in a work tree" in message:
            return "not inside a work tree"
        return message
    git_dir, common_dir, top = (Path(line).resolve() for line in lines[1:])
    return Repo(worktree=top, git_dir=git_dir, common_dir=common_dir)


def resolve_worktree(path: str | Path) -> Path | None:
    """Top level of the non-bare git work tree containing `path` (subdirectories and linked
    work trees included); None when there is none."""
    repo = probe(path)
    return repo.worktree if isinstance(repo, Repo) else None


def chain_ref(worktree: Path) -> str:
    """`refs/switchex/snapshots/<key>`: `main` for the main work tree, `wt-<encoded name>` for
    a linked one."""
    dotgit = Path(worktree) / ".git"
    if dotgit.is_dir():
        return _ref_for(None)
    if dotgit.is_file():
        admin = _gitfile_target(dotgit)
        if admin is not None:
            return _ref_for(admin.name if (admin / "commondir").is_file() else None)
    repo = probe(worktree)
    if isinstance(repo, str):
        raise TrackerError(f"no snapshot chain for {worktree}: {repo}")
    return repo.ref


def _gitfile_target(dotgit: Path) -> Path | None:
    try:
        text = dotgit.read_text(errors="surrogateescape").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text.removeprefix("gitdir:").strip())
    return target if target.is_absolute() else (dotgit.parent / target)


def busy_reason(repo: Repo) -> str | None:
    """Why the work tree is in no state to snapshot (a git command or operation in progress)."""
    for marker, reason in _BUSY_MARKERS:
        if (repo.git_dir / marker).exists():
            return reason
    if not repo.worktree.is_dir():
        return f"work tree {repo.worktree} does not exist"
    return None
