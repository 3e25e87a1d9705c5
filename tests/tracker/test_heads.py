"""One cat-file read of the chain, HEAD and the directories of a Write/Edit batch."""

from __future__ import annotations

from pathlib import Path

from switchex.tracker.heads import read_heads
from switchex.tracker.repo import Repo, probe
from switchex.tracker.snapshot import take_snapshot

from .helpers import AI, git, write


def found(repo: Path) -> Repo:
    result = probe(repo)
    assert isinstance(result, Repo)
    return result


def test_no_chain_yet_gives_head_and_no_trees(repo: Path) -> None:
    heads, trees = read_heads(found(repo), ["", "src"])
    assert heads.chain is None and heads.chain_tree is None and trees is None
    assert heads.head == git(repo, "rev-parse", "HEAD")
    assert heads.head_tree == git(repo, "rev-parse", "HEAD^{tree}")
    assert heads.parent == heads.head


def test_directories_of_the_chain_tree_missing_ones_empty(repo: Path) -> None:
    write(repo, "src/lib/deep.py", "x = 1\n")
    assert take_snapshot(repo, AI).changed
    heads, trees = read_heads(found(repo), ["", "nothing/here", "src", "src/lib"])
    ref = "refs/switchex/snapshots/main"
    assert heads.chain == git(repo, "rev-parse", ref)
    assert heads.chain_tree == git(repo, "rev-parse", ref + "^{tree}")
    assert trees is not None
    assert trees["nothing/here"] == {}
    assert set(trees["src"]) == {b"app.py", b"lib"}
    mode, oid = trees["src/lib"][b"deep.py"]
    assert mode == b"100644" and oid.hex() == git(repo, "rev-parse", f"{ref}:src/lib/deep.py")


def test_a_file_where_a_directory_is_asked_gives_no_trees(repo: Path) -> None:
    write(repo, "x.txt", "1\n")
    assert take_snapshot(repo, AI).changed
    heads, trees = read_heads(found(repo), ["", "x.txt"])
    assert heads.chain_tree is not None and trees is None
