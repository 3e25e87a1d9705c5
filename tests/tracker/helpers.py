"""Small helpers for building and inspecting throwaway repositories."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from switchex.tracker.records import Attribution

AI = Attribution("qwen2.5-coder:7b", "local", "sess-1", "ai")
OTHER = Attribution("gemini-2.5-flash", "gemini-flash", "sess-1", "ai")
HUMAN = Attribution.human("sess-1")


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def write(repo: Path, rel: str, text: str) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    for rel, text in (files or {"README.md": "hello\n", "src/app.py": "print(1)\n"}).items():
        write(path, rel, text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def tree_files(repo: Path, rev: str) -> dict[str, str]:
    """path → mode of every entry of `rev`'s tree."""
    out = git(repo, "ls-tree", "-r", "-z", rev)
    entries = {}
    for line in out.split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            entries[path] = meta.split()[0]
    return entries


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def state(repo: Path) -> dict[str, object]:
    """Everything a snapshot must not change: HEAD, branch, index, stash, refs, hooks,
    config and every work-tree file (byte for byte)."""
    gitdir = Path(git(repo, "rev-parse", "--absolute-git-dir"))
    common = Path(git(repo, "rev-parse", "--path-format=absolute", "--git-common-dir"))
    files: dict[str, str] = {}
    for root, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            path = Path(root, name)
            rel = str(path.relative_to(repo))
            files[rel] = f"link:{os.readlink(path)}" if path.is_symlink() else _digest(path)
    refs = git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    hooks = common / "hooks"
    return {
        "head": git(repo, "rev-parse", "-q", "--verify", "HEAD", check=False),
        "branch": git(repo, "symbolic-ref", "-q", "HEAD", check=False),
        "index": _digest(gitdir / "index"),
        "stash": git(repo, "stash", "list"),
        "refs": [r for r in refs.splitlines() if not r.startswith("refs/switchex/")],
        "hooks": {p.name: _digest(p) for p in sorted(hooks.iterdir())} if hooks.exists() else {},
        "config": _digest(common / "config"),
        "files": files,
    }
