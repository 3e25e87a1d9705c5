"""Snapshots of a work tree as commits on a chain ref, without touching the user's repo.

    git cat-file --batch                 the chain, its tree, HEAD (`heads.py`)
    staging.stage_paths / stage_scan     the chain's tree edited where the work tree differs
                                         (Write/Edit batch: the named paths; else asked of git)
    git commit-tree TREE -p PREV         fixed identity, trailers, no hooks, no signing
                                         (meanwhile `diff-tree --numstat PREV-TREE TREE`)
    git update-ref REF NEW OLD           compare-and-swap; retried once on a race

The first snapshot of a chain, and any path that is not a plain file (symlink, gitlink,
unreadable), is staged through a temporary index instead:

    copy <git-dir>/index → <common-dir>/switchex/tmp/index-…   (stat info reused, mtime kept)
    GIT_INDEX_FILE=tmp git ls-files -o -m --exclude-standard   one walk: what `add -A` would add
    GIT_INDEX_FILE=tmp git update-index --add --remove --stdin  those paths, minus oversized ones
    GIT_INDEX_FILE=tmp git write-tree    same tree as the previous snapshot → unchanged

Objects are written before the ref moves, so a kill at any point leaves `git fsck` clean;
the temporary index lives in the git dir and is removed (or swept by the next snapshot).
The first snapshot's parent is the user's HEAD, so `git blame` over the chain attributes
older lines to the user's own history. HEAD, the index, branches, the stash, hooks, config
and the work tree are never written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import stat
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from switchex.errors import TrackerError
from switchex.tracker.chain import read_chain
from switchex.tracker.diffstat import TreeNumstat
from switchex.tracker.git import IDENTITY, first_line, git, run
from switchex.tracker.heads import Heads, read_heads
from switchex.tracker.lock import repo_lock
from switchex.tracker.records import Attribution, SnapshotCommit, SnapshotResult, commit_message
from switchex.tracker.repo import Repo, busy_reason, chain_ref, probe, resolve_worktree
from switchex.tracker.staging import (
    NEVER_SNAPSHOT,
    UNOPENED,
    Staged,
    WorkTreeScan,
    count,
    named_paths,
    names,
    stage_paths,
    stage_scan,
)
from switchex.tracker.treeedit import parent_dirs

__all__ = [
    "NEVER_SNAPSHOT",
    "Attribution",
    "SnapshotCommit",
    "SnapshotResult",
    "chain_ref",
    "read_chain",
    "resolve_worktree",
    "take_snapshot",
]

log = logging.getLogger("switchex.tracker")

MAX_FILE_BYTES = 50 * 1024 * 1024
STALE_REF_LOCK_SECONDS = 10.0
_UNPROCESSED = re.compile(r"^fatal: Unable to process path (.+)$", re.MULTILINE)
_MAX_DROPPED = 64


def take_snapshot(
    worktree: Path,
    attribution: Attribution,
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    message: str | None = None,
    baseline: bool = False,
    lock_timeout: float = 10.0,
    paths: Collection[str] | None = None,
) -> SnapshotResult:
    """Snapshot the work tree onto its chain; never raises for repository problems.

    `baseline`: when the chain does not exist yet, record this snapshot as kind `baseline`
    (the user's state before switchex saw the repo). `max_file_bytes <= 0` lifts the cap.
    `paths` (absolute, or relative to the work tree): only these changed since the chain's
    last snapshot, re-index just them; None scans the whole work tree.
    """
    start = time.monotonic()
    found = probe(worktree)
    if isinstance(found, str):
        return _skipped(Path(worktree), "", attribution, found, start)
    try:
        with repo_lock(found.common_dir, timeout=lock_timeout):
            reason = busy_reason(found)
            if reason:
                return _skipped(found.worktree, found.ref, attribution, reason, start)
            scope = _Scope(max_file_bytes, None if paths is None else tuple(paths))
            return _snapshot(found, attribution, scope, message, baseline, start)
    except (TrackerError, OSError, ValueError) as exc:
        log.debug("snapshot of %s skipped: %s", found.worktree, exc)
        return _skipped(found.worktree, found.ref, attribution, str(exc), start)


def _skipped(
    worktree: Path, ref: str, attribution: Attribution, reason: str, start: float
) -> SnapshotResult:
    return SnapshotResult.skip(worktree, ref, attribution, reason, time.monotonic() - start)


@dataclass(frozen=True)
class _Scope:
    max_file_bytes: int
    paths: tuple[str, ...] | None  # None: the whole work tree


def _snapshot(
    repo: Repo,
    attribution: Attribution,
    scope: _Scope,
    message: str | None,
    baseline: bool,
    start: float,
) -> SnapshotResult:
    _sweep_ref_lock(repo.common_dir / (repo.ref + ".lock"))  # whichever way it stages
    heads, staged = _edit_chain(repo, scope)
    if staged is None:
        tmp = _tmp_dir(repo)
        index = tmp / f"index-{os.getpid()}-{threading.get_ident()}"
        try:
            staged = _stage(repo, index, scope.max_file_bytes)
        finally:
            for leftover in (index, index.with_name(index.name + ".lock")):
                leftover.unlink(missing_ok=True)
    if baseline and heads.chain is None:
        attribution = Attribution.baseline(attribution.session)
    result = SnapshotResult(
        worktree=repo.worktree,
        ref=repo.ref,
        commit=None,
        parent=heads.parent,
        changed=False,
        skipped=None,
        files=(),
        added=0,
        removed=0,
        seconds=0.0,
        attribution=attribution,
        skipped_files=staged.left_out,
        notes=staged.notes,
    )
    if staged.tree != heads.previous_tree(staged.tree):
        result = _commit(repo, heads, staged.tree, result, message)
    return replace(result, seconds=time.monotonic() - start)


def _edit_chain(repo: Repo, scope: _Scope) -> tuple[Heads, Staged | None]:
    """The heads and, when the chain has a tree, that tree edited where the work tree
    changed (a Write/Edit batch's paths, or a scan); None: stage through an index."""
    named = None if scope.paths is None else named_paths(repo, scope.paths)
    dirs = parent_dirs(named) if named and not any("\n" in p for p in named) else []
    # A scan starts before the heads are read when the chain (loose ref) surely exists.
    early = named is None and (repo.common_dir / repo.ref).is_file()
    scan = WorkTreeScan(repo) if early else None
    try:
        heads, trees = read_heads(repo, dirs)  # a Write/Edit batch: its directories too
        if heads.chain_tree is None:
            return heads, None
        base, cap = heads.chain_tree, scope.max_file_bytes
        if named is not None:
            return heads, stage_paths(repo, base, named, cap, trees)
        scan = scan or WorkTreeScan(repo)
        return heads, stage_scan(repo, base, cap, scan)
    finally:
        if scan is not None:
            scan.join()


def _tmp_dir(repo: Repo) -> Path:
    """`<common-dir>/switchex/tmp`, emptied: under the repo lock anything left is stale."""
    tmp = repo.common_dir / "switchex" / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    for stale in tmp.iterdir():
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    return tmp


def _sweep_ref_lock(lock: Path) -> None:
    """Remove the chain ref's lock left by a killed update-ref. Only switchex writes the ref,
    under the repo lock, but `git pack-refs` briefly locks it too: only old ones go."""
    with contextlib.suppress(FileNotFoundError):
        if time.time() - lock.stat().st_mtime > STALE_REF_LOCK_SECONDS:
            lock.unlink()


def _stage(repo: Repo, index: Path, max_file_bytes: int) -> Staged:
    """Build the work tree's tree in a temporary index seeded from the real one."""
    with contextlib.suppress(FileNotFoundError):  # no index yet: git starts an empty one
        shutil.copy2(repo.index, index)
    env = _index_env(index)
    changed, unreadable = _changed_paths(repo, env)
    changed = [p for p in changed if p not in NEVER_SNAPSHOT]
    too_large = _too_large(repo, changed, max_file_bytes) if max_file_bytes > 0 else []
    skip = set(too_large)
    unreadable += _update_index(repo, env, [p for p in changed if p not in skip])
    tree = git(repo.worktree, "write-tree", env=env).decode().strip()
    notes = []
    if too_large:
        notes.append(f"left out {count(too_large)} larger than {max_file_bytes} bytes: ")
        notes[-1] += names(too_large)
    if unreadable:
        notes.append(f"left out {count(unreadable)} git could not read: {names(unreadable)}")
        log.info("snapshot of %s left out unreadable paths: %s", repo.worktree, unreadable)
    return Staged(tree, tuple(too_large + unreadable), tuple(notes))


def _index_env(index: Path) -> dict[str, str]:
    """Point git at the temporary index; git >= 2.40 skips its checksum (older: ignored)."""
    inherited = os.environ.get("GIT_CONFIG_COUNT", "")
    count = int(inherited) if inherited.isdigit() else 0
    return {
        "GIT_INDEX_FILE": str(index),
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": "index.skipHash",
        f"GIT_CONFIG_VALUE_{count}": "true",
    }


def _changed_paths(repo: Repo, env: dict[str, str]) -> tuple[list[str], list[str]]:
    """Untracked (not ignored), modified and deleted paths in index order, from one walk of
    the work tree; and the directories git could not open."""
    proc = run(repo.worktree, ["ls-files", "-z", "-o", "-m", "--exclude-standard"], env=env)
    if proc.returncode != 0:
        raise TrackerError(f"git ls-files failed: {first_line(proc.stderr)}")
    # An embedded repository is listed as "dir/"; update-index takes it as "dir" (a gitlink).
    raw = {p.rstrip(b"/") for p in proc.stdout.split(b"\0") if p.strip(b"/")}
    stderr = proc.stderr.decode("utf-8", "surrogateescape")
    return [os.fsdecode(p) for p in sorted(raw)], sorted(set(UNOPENED.findall(stderr)))


def _too_large(repo: Repo, paths: list[str], limit: int) -> list[str]:
    """The regular files among `paths` over `limit` bytes (left out: never hashed)."""
    found = []
    for path in paths:
        try:
            info = os.lstat(repo.worktree / path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            found.append(path)
    return found


def _update_index(repo: Repo, env: dict[str, str], paths: list[str]) -> list[str]:
    """Record `paths` as they are on disk in the temporary index (like `git add -A`, without
    a second walk); paths git cannot read are dropped and returned."""
    args = ["update-index", "--add", "--remove", "--replace", "--ignore-skip-worktree-entries"]
    dropped: list[str] = []
    while paths:
        stdin = b"".join(os.fsencode(p) + b"\0" for p in paths)
        proc = run(repo.worktree, [*args, "-z", "--stdin"], env=env, stdin=stdin)
        if proc.returncode == 0:
            break
        match = _UNPROCESSED.search(proc.stderr.decode("utf-8", "surrogateescape"))
        bad = match.group(1) if match else None
        if bad not in paths or len(dropped) >= _MAX_DROPPED:
            raise TrackerError(f"git update-index failed: {first_line(proc.stderr)}")
        dropped.append(bad)
        paths = [p for p in paths if p != bad]
    return dropped


def _commit(
    repo: Repo, heads: Heads, tree: str, result: SnapshotResult, message: str | None
) -> SnapshotResult:
    """commit-tree + update-ref (CAS); on a lost race, re-read the chain and retry once."""
    text = commit_message(result.attribution, message, result.skipped_files).encode()
    for attempt in (1, 2):
        parent = heads.parent
        numstat = TreeNumstat(
            repo.worktree, heads.previous_tree(tree), tree
        )  # meanwhile: commit, ref
        args = ["commit-tree", "--no-gpg-sign", tree, *(["-p", parent] if parent else [])]
        commit = git(repo.worktree, *args, env=IDENTITY, stdin=text).decode().strip()
        old = heads.chain or ""
        proc = run(repo.worktree, ["update-ref", "-m", "switchex snapshot", repo.ref, commit, old])
        numbers = numstat.result()
        if proc.returncode == 0:
            files, added, removed = numbers
            return replace(
                result,
                commit=commit,
                parent=parent,
                changed=True,
                files=files,
                added=added,
                removed=removed,
            )
        log.info("chain %s moved during snapshot (attempt %d)", repo.ref, attempt)
        heads, _ = read_heads(repo)
        if tree == heads.previous_tree(tree):
            return replace(result, parent=heads.parent)
    raise TrackerError(f"chain ref {repo.ref} kept moving: {first_line(proc.stderr)}")
