"""Running git for review: the one place where git failures become ReviewError.

Calls go through the tracker's runner (clean environment, no hooks, no auto-gc).

`scratch()` gives a `Git` whose new objects and index live in a temporary directory (the
repository's objects stay readable as alternates), so planning a rollback or a dry run
writes nothing into the repository.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from switchex.errors import ReviewError
from switchex.tracker.git import IDENTITY, first_line, run


@dataclass(frozen=True)
class Git:
    worktree: Path
    env: Mapping[str, str] = field(default_factory=dict)
    tmp: Path | None = None

    def call(
        self, *args: str, stdin: bytes | None = None, ok: range = range(1)
    ) -> tuple[int, bytes]:
        """Run git in the work tree; an exit status outside `ok` raises ReviewError."""
        proc = run(self.worktree, args, env=self.env, stdin=stdin)
        if proc.returncode not in ok:
            raise ReviewError(f"git {args[0]} failed: {first_line(proc.stderr)}")
        return proc.returncode, proc.stdout

    def out(self, *args: str, stdin: bytes | None = None) -> bytes:
        return self.call(*args, stdin=stdin)[1]

    def text(self, *args: str, stdin: bytes | None = None) -> str:
        return self.out(*args, stdin=stdin).decode().strip()

    def rev(self, name: str) -> str | None:
        """The object `name` names, or None."""
        code, out = self.call("rev-parse", "-q", "--verify", name, ok=range(2))
        return out.decode().strip() if code == 0 else None

    def with_env(self, **env: str) -> Git:
        return replace(self, env={**self.env, **env})

    def blob(self, sha: str) -> bytes:
        return self.out("cat-file", "blob", sha)

    def write_blob(self, data: bytes) -> str:
        return self.text("hash-object", "-w", "--no-filters", "--stdin", stdin=data)

    def commit(self, tree: str, parents: list[str], message: str) -> str:
        args = [arg for parent in parents for arg in ("-p", parent)]
        return self.with_env(**IDENTITY).text("commit-tree", tree, *args, stdin=message.encode())

    def empty_tree(self, write: bool = False) -> str:
        if write:
            return self.text("mktree", stdin=b"")
        return self.text("hash-object", "-t", "tree", "--stdin", stdin=b"")


@contextmanager
def scratch(git: Git) -> Iterator[Git]:
    """A Git writing objects and its index (a copy of the user's) under a temporary directory."""
    objects = git.text("rev-parse", "--path-format=absolute", "--git-path", "objects")
    index = Path(git.text("rev-parse", "--path-format=absolute", "--git-path", "index"))
    with tempfile.TemporaryDirectory(prefix="switchex-review-") as tmp:
        root = Path(tmp)
        (root / "objects" / "info").mkdir(parents=True)
        (root / "objects" / "pack").mkdir()
        if index.is_file():
            shutil.copy2(index, root / "index")  # mtime kept: git's racy-clean check needs it
        env = {
            "GIT_OBJECT_DIRECTORY": str(root / "objects"),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": objects,
            "GIT_INDEX_FILE": str(root / "index"),
        }
        yield replace(git.with_env(**env), tmp=root)
