"""The chain ref, the user's HEAD and (for a Write/Edit batch) the chain's trees, in one read.

    git cat-file --batch   REF, REF^{tree}, HEAD^{commit}, HEAD^{tree}, then REF^{tree}:DIR
                           for each directory a batch's paths are in (their entries)

Read under the repository lock, where only switchex moves the chain ref, so `REF^{tree}:DIR`
names a directory of the same tree that `REF^{tree}` reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from switchex.errors import TrackerError
from switchex.tracker.git import git
from switchex.tracker.repo import Repo
from switchex.tracker.treeedit import Entries, parse_tree

EMPTY_TREES = {
    40: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    64: "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}


@dataclass(frozen=True)
class Heads:
    chain: str | None  # current value of the chain ref
    chain_tree: str | None
    head: str | None  # the user's HEAD commit
    head_tree: str | None

    @property
    def parent(self) -> str | None:
        return self.chain or self.head

    def previous_tree(self, tree: str) -> str:
        return self.chain_tree or self.head_tree or EMPTY_TREES.get(len(tree), "")


def read_heads(repo: Repo, dirs: Sequence[str] = ()) -> tuple[Heads, dict[str, Entries] | None]:
    """The heads and the entries of each of `dirs` ('' is the root) in the chain's tree
    (a missing directory: empty); None for the trees when there is no chain tree or one of
    `dirs` is a file there."""
    names = [repo.ref, f"{repo.ref}^{{tree}}", "HEAD^{commit}", "HEAD^{tree}"]
    specs = names + [f"{repo.ref}^{{tree}}" + (f":{d}" if d else "") for d in dirs]
    out = git(repo.worktree, "cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
    objects = _split(out, len(specs))
    values = [sha if kind in ("commit", "tree") else None for sha, kind, _ in objects[:4]]
    heads = Heads(*values)
    if heads.chain_tree is None or not dirs:
        return heads, None
    trees: dict[str, Entries] = {}
    for directory, (_, kind, raw) in zip(dirs, objects[4:], strict=True):
        if kind not in ("tree", "missing"):
            return heads, None  # a file where a directory should be
        trees[directory] = parse_tree(raw, len(heads.chain_tree) // 2)
    return heads, trees


def _split(out: bytes, expected: int) -> list[tuple[str, str, bytes]]:
    """`cat-file --batch` output → (id, type or 'missing', content) per request."""
    objects: list[tuple[str, str, bytes]] = []
    at = 0
    while len(objects) < expected:
        end = out.find(b"\n", at)
        if end < 0:
            raise TrackerError(f"unexpected git cat-file output: {out[:200]!r}")
        header = out[at:end].decode("utf-8", "surrogateescape").split(" ")
        at = end + 1
        if header[-1] in ("missing", "ambiguous") or len(header) != 3:
            objects.append(("", "missing", b""))
            continue
        size = int(header[2])
        objects.append((header[0], header[1], out[at : at + size]))
        at += size + 1
    return objects
