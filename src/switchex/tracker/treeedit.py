"""The next snapshot tree from the previous one and a few named paths, without any index.

A batch of Write/Edit calls names the only files it changed. Reading and rewriting a 50k-entry
index costs more than everything else, so the new tree is built from the chain's tree:

    git cat-file --batch      the trees of the paths' parent directories (one call)
    git check-ignore --no-index   which *new* paths .gitignore excludes (only if there are
                                  any the scan did not already list as untracked)
    git hash-object -w --stdin-paths   the files' blobs (clean filters and EOL rules apply)
    git mktree --batch        the changed trees, bottom-up; their ids are computed here first

Anything that is not a plain file edit (a symlink, a directory, a gitlink, a file turned
directory) returns None, and the caller scans the work tree instead.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Collection
from dataclasses import dataclass

from switchex.errors import TrackerError
from switchex.tracker.git import first_line, git, run
from switchex.tracker.repo import Repo

Entries = dict[bytes, tuple[bytes, bytes]]  # name → (mode, raw object id)
TREE, FILE, EXECUTABLE = b"40000", b"100644", b"100755"


@dataclass(frozen=True)
class Edited:
    tree: str
    left_out: tuple[str, ...]  # over the size cap: their previous version stays


def edit_tree(
    repo: Repo,
    base: str,
    paths: list[str],
    max_file_bytes: int,
    not_ignored: Collection[str] = (),
    read: dict[str, Entries] | None = None,
) -> Edited | None:
    """The tree `base` with `paths` (relative, '/'-separated) as they are on disk now.
    `not_ignored`: paths git already found untracked and not ignored (no need to ask);
    `read`: the entries of `parent_dirs(paths)` in `base`, when already read."""
    dirs = parent_dirs(paths)
    trees = _read_trees(repo, base, dirs) if read is None else read
    if trees is None:
        return None
    changes: dict[str, tuple[bytes, str] | None] = {}  # path → (mode, file) or None: deleted
    left_out: list[str] = []
    for path in paths:
        parent, _, name = path.rpartition("/")
        old = trees.get(parent, {}).get(name.encode())
        if old is not None and old[0] not in (FILE, EXECUTABLE):
            return None  # a directory, symlink or gitlink: not a plain file edit
        try:
            info = os.lstat(repo.worktree / path)
        except FileNotFoundError:
            changes[path] = None
            continue
        if not stat.S_ISREG(info.st_mode):
            return None
        if 0 < max_file_bytes < info.st_size:
            left_out.append(path)
            continue
        changes[path] = (EXECUTABLE if info.st_mode & 0o100 else FILE, path)
    known = set(not_ignored)
    fresh = [
        p for p, c in changes.items() if c is not None and _absent(trees, p) and p not in known
    ]
    for ignored in _ignored(repo, fresh):
        del changes[ignored]
    blobs = _hash_files(repo, [c[1] for c in changes.values() if c is not None])
    for path, change in changes.items():
        parent, _, name = path.rpartition("/")
        entries = trees.setdefault(parent, {})
        if change is None:
            entries.pop(name.encode(), None)
        else:
            entries[name.encode()] = (change[0], blobs[change[1]])
    if not trees[""] or (len(trees[""]) == 1 and _emptied(trees, paths)):
        return None  # the whole tree may end up empty: leave that to the scan
    return Edited(_write_trees(repo, trees, dirs, len(base)), tuple(left_out))


def parent_dirs(paths: Collection[str]) -> list[str]:
    """Every directory `paths` are in, the root ('') included, sorted."""
    return sorted({"/".join(p.split("/")[:i]) for p in paths for i in range(p.count("/") + 1)})


def _emptied(trees: dict[str, Entries], paths: list[str]) -> bool:
    return any(not trees.get(p.split("/")[0], {"x": ()}) for p in paths if "/" in p)


def _absent(trees: dict[str, Entries], path: str) -> bool:
    parent, _, name = path.rpartition("/")
    return name.encode() not in trees.get(parent, {})


def _read_trees(repo: Repo, base: str, dirs: list[str]) -> dict[str, Entries] | None:
    """The entries of each existing directory among `dirs` (missing ones: empty)."""
    specs = [base if not d else f"{base}:{d}" for d in dirs]
    out = git(repo.worktree, "cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
    trees: dict[str, Entries] = {}
    at = 0
    for directory in dirs:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if header[-1] == b"missing":
            trees[directory] = {}
            continue
        if header[1] != b"tree":
            return None  # a file where a directory should be
        size = int(header[2])
        trees[directory] = parse_tree(out[at : at + size], len(base) // 2)
        at += size + 1
    return trees


def parse_tree(raw: bytes, id_bytes: int) -> Entries:
    entries: Entries = {}
    at = 0
    while at < len(raw):
        space = raw.index(b" ", at)
        nul = raw.index(b"\0", space)
        entries[raw[space + 1 : nul]] = (raw[at:space], raw[nul + 1 : nul + 1 + id_bytes])
        at = nul + 1 + id_bytes
    return entries


def _ignored(repo: Repo, paths: list[str]) -> list[str]:
    """Which of these untracked paths .gitignore (and info/exclude, core.excludesFile) skip."""
    if not paths:
        return []
    stdin = b"".join(os.fsencode(p) + b"\0" for p in paths)
    proc = run(repo.worktree, ["check-ignore", "--no-index", "-z", "--stdin"], stdin=stdin)
    if proc.returncode not in (0, 1):  # 1: none is ignored
        raise TrackerError(f"git check-ignore failed: {first_line(proc.stderr)}")
    return [os.fsdecode(p) for p in proc.stdout.split(b"\0") if p]


def _hash_files(repo: Repo, paths: list[str]) -> dict[str, bytes]:
    if not paths:
        return {}
    stdin = "".join(p + "\n" for p in paths).encode()
    out = git(repo.worktree, "hash-object", "-w", "--stdin-paths", stdin=stdin).split()
    if len(out) != len(paths):
        raise TrackerError("git hash-object gave an unexpected number of ids")
    return {path: bytes.fromhex(oid.decode()) for path, oid in zip(paths, out, strict=True)}


def _write_trees(repo: Repo, trees: dict[str, Entries], dirs: list[str], hex_len: int) -> str:
    """Write the edited trees deepest first; each parent gets its child's new id (or loses
    the entry when the child became empty). Returns the root tree's id."""
    algorithm = "sha256" if hex_len == 64 else "sha1"
    batch: list[str] = []
    ids: list[str] = []
    for directory in sorted(dirs, key=lambda d: -d.count("/") if d else 1):
        entries = trees[directory]
        raw = _serialise(entries)
        oid = hashlib.new(algorithm, b"tree %d\0" % len(raw) + raw).digest()
        if directory:
            parent, _, name = directory.rpartition("/")
            if entries:
                trees[parent][name.encode()] = (TREE, oid)
            else:
                trees[parent].pop(name.encode(), None)
                continue
        batch.append(_mktree_text(entries))
        ids.append(oid.hex())
    written = git(repo.worktree, "mktree", "--batch", stdin="\n".join(batch).encode() + b"\n")
    if written.decode().split() != ids:
        raise TrackerError("git mktree disagrees with the tree ids computed for a snapshot")
    return ids[-1]


def _order(item: tuple[bytes, tuple[bytes, bytes]]) -> bytes:
    name, (mode, _) = item
    return name + b"/" if mode == TREE else name


def _serialise(entries: Entries) -> bytes:
    return b"".join(
        mode + b" " + n + b"\0" + o for n, (mode, o) in sorted(entries.items(), key=_order)
    )


def _mktree_text(entries: Entries) -> str:
    lines = []
    for name, (mode, oid) in sorted(entries.items(), key=_order):
        kind = "tree" if mode == TREE else "blob"
        lines.append(f"{mode.decode():0>6} {kind} {oid.hex()}\t{os.fsdecode(name)}\n")
    return "".join(lines)
