"""Real repositories with real snapshot chains, git isolated from the machine's config."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from switchex.tracker.snapshot import Attribution, take_snapshot

TIERS = {
    "gemini-2.5-flash": "gemini-flash",
    "deepseek-chat": "deepseek",
    "qwen2.5-coder:7b": "local",
}
LINES = "".join(f"line {n}\n" for n in range(1, 21))


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "User")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "user@example.com")


class Work:
    """A work tree whose models write files and get snapshotted, like the gateway does."""

    LINES = LINES

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str) -> str:
        out = subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True)
        return out.stdout.decode().strip()

    def write(self, path: str, data: str | bytes) -> None:
        full = self.root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_bytes(data.encode() if isinstance(data, str) else data)

    def read(self, path: str) -> str:
        return (self.root / path).read_text()

    def edit(self, path: str, old: str, new: str) -> None:
        text = self.read(path)
        assert old in text, (old, text)
        self.write(path, text.replace(old, new, 1))

    def snap(self, model: str, kind: str = "ai") -> str:
        tier = "human" if kind == "human" else TIERS.get(model, model)
        result = take_snapshot(self.root, Attribution(model, tier, "session-1", kind))
        assert result.skipped is None and result.commit, result
        return result.commit

    def files(self) -> dict[str, str]:
        """Every file outside .git with its content hash and exec bit."""
        found = {}
        for top, dirs, names in os.walk(self.root):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in names:
                full = Path(top, name)
                digest = hashlib.sha256(full.read_bytes()).hexdigest()
                found[full.relative_to(self.root).as_posix()] = (
                    f"{digest}:{os.access(full, os.X_OK)}"
                )
        return found

    def git_files(self) -> dict[str, str]:
        """Every file under .git with its content hash."""
        git_dir = self.root / ".git"
        return {
            str(p.relative_to(git_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in git_dir.rglob("*")
            if p.is_file()
        }

    def refs(self) -> str:
        return self.git("for-each-ref")

    def user_state(self) -> tuple[str, ...]:
        """What no review command may change: HEAD, branch, index, stash."""
        index = hashlib.sha256((self.root / ".git" / "index").read_bytes()).hexdigest()
        stash = self.git("stash", "list")
        return self.git("rev-parse", "HEAD"), self.git("symbolic-ref", "HEAD"), index, stash


@pytest.fixture(params=["sha1", "sha256"])
def work(tmp_path: Path, request: pytest.FixtureRequest) -> Work:
    """The same work tree in a SHA-1 and in a SHA-256 repository."""
    root = tmp_path / "repo"
    root.mkdir()
    w = Work(root)
    w.git("init", "-q", "-b", "main", f"--object-format={request.param}")
    w.write("app.py", LINES)
    w.write(".gitignore", "*.log\n")
    w.git("add", ".")
    w.git("commit", "-q", "-m", "initial")
    return w
