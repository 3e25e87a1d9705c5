"""Incremental snapshots: a Write/Edit batch re-indexes only the paths it names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from switchex.tracker import git as git_module
from switchex.tracker.snapshot import take_snapshot

from .helpers import AI, HUMAN, OTHER, git, state, tree_files, write

REF = "refs/switchex/snapshots/main"


def files_of(repo: Path, rev: str) -> set[str]:
    return set(tree_files(repo, rev))


def test_only_the_named_paths_are_taken(repo: Path) -> None:
    write(repo, "seen.txt", "human before\n")
    assert take_snapshot(repo, HUMAN, baseline=True).changed
    write(repo, "a.py", "by the model\n")
    write(repo, "other.txt", "written meanwhile by something else\n")
    before = state(repo)
    result = take_snapshot(repo, AI, paths=[str(repo / "a.py")])
    assert result.changed and result.files == ("a.py",)
    assert files_of(repo, REF) == {"README.md", "src/app.py", "seen.txt", "a.py"}
    assert state(repo) == before
    # The next full scan finds what the incremental one left alone.
    full = take_snapshot(repo, OTHER)
    assert full.files == ("other.txt",)


def test_edits_deletions_and_relative_paths(repo: Path) -> None:
    assert take_snapshot(repo, HUMAN, baseline=True).skipped is None
    write(repo, "new.txt", "x\n")
    assert take_snapshot(repo, AI).changed  # chain exists: incremental from here on
    write(repo, "src/app.py", "print(2)\n")
    (repo / "new.txt").unlink()
    result = take_snapshot(repo, AI, paths=["src/app.py", str(repo / "new.txt")])
    assert set(result.files) == {"src/app.py", "new.txt"}
    assert "new.txt" not in files_of(repo, REF)
    assert git(repo, "show", f"{REF}:src/app.py") == "print(2)"


def test_ignored_outside_and_private_paths_are_never_taken(repo: Path, tmp_path: Path) -> None:
    write(repo, ".gitignore", "*.log\n")
    write(repo, "x.txt", "1\n")
    assert take_snapshot(repo, AI).changed
    write(repo, "debug.log", "noise\n")
    write(repo, ".claude/settings.local.json", "{}\n")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not in the repo\n")
    paths = [str(repo / "debug.log"), str(outside), str(repo / ".claude/settings.local.json")]
    result = take_snapshot(repo, AI, paths=paths)
    assert not result.changed and result.skipped is None


def test_it_builds_on_the_chain_whoever_moved_it(repo: Path) -> None:
    write(repo, "x.txt", "1\n")
    first = take_snapshot(repo, AI)
    write(repo, "y.txt", "2\n")
    assert take_snapshot(repo, AI).changed
    git(repo, "update-ref", REF, str(first.commit))  # e.g. an older chain restored
    write(repo, "z.txt", "3\n")
    third = take_snapshot(repo, OTHER, paths=["z.txt"])
    assert third.files == ("z.txt",) and third.parent == first.commit
    assert files_of(repo, REF) == {"README.md", "src/app.py", "x.txt", "z.txt"}


def test_the_same_tree_as_a_full_scan_in_new_nested_and_emptied_directories(
    repo: Path, tmp_path: Path
) -> None:
    write(repo, "lib/old/only.py", "x\n")
    write(repo, "run.sh", "echo\n")
    assert take_snapshot(repo, AI).changed
    write(repo, "lib/new/deep/a.py", "a\n")
    (repo / "lib/old/only.py").unlink()
    (repo / "run.sh").chmod(0o755)
    write(repo, "src/app.py", "print(3)\n")
    named = ["lib/new/deep/a.py", "lib/old/only.py", "run.sh", "src/app.py"]
    edited = take_snapshot(repo, AI, paths=named)
    copy = make_clone(repo, tmp_path)
    scanned = take_snapshot(copy, AI)
    assert scanned.changed and edited.changed
    assert git(repo, "rev-parse", f"{edited.commit}^{{tree}}") == git(
        copy, "rev-parse", f"{scanned.commit}^{{tree}}"
    )
    assert tree_files(repo, REF)["run.sh"] == "100755"


def make_clone(repo: Path, tmp_path: Path) -> Path:
    """The same work tree under another chain: a scan of a copy gives the reference tree."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, symlinks=True)
    git(copy, "update-ref", "-d", REF)
    objects = repo / ".git" / "objects"
    (copy / ".git" / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (copy / ".git" / "objects" / "info" / "alternates").write_text(f"{objects}\n")
    return copy


def test_no_full_walk_for_a_batch_of_writers(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, "x.txt", "1\n")
    assert take_snapshot(repo, AI).changed
    commands: list[str] = []
    original = git_module.subprocess.run

    def spy(args: list[str], **kwargs: Any) -> Any:
        commands.append(next(a for a in args[1:] if not a.startswith("-") and "=" not in a))
        return original(args, **kwargs)

    monkeypatch.setattr(git_module.subprocess, "run", spy)
    write(repo, "x.txt", "2\n")
    assert take_snapshot(repo, AI, paths=["x.txt"]).files == ("x.txt",)
    assert not {"ls-files", "diff-files", "update-index", "write-tree"} & set(commands)
    commands.clear()
    write(repo, "y.txt", "2\n")
    assert take_snapshot(repo, AI).files == ("y.txt",)
    assert {"ls-files", "diff-files"} <= set(commands)


def test_oversized_named_file_is_left_out_and_said(repo: Path) -> None:
    write(repo, "x.txt", "1\n")
    assert take_snapshot(repo, AI).changed
    write(repo, "big.bin", "0" * 100)
    result = take_snapshot(repo, AI, paths=["big.bin"], max_file_bytes=10)
    assert result.skipped_files == ("big.bin",) and not result.changed
    assert any("larger than 10 bytes" in note for note in result.notes)


def test_sha256_repositories(tmp_path: Path) -> None:
    repo = tmp_path / "sha256"
    repo.mkdir()
    git(repo, "init", "-q", "--object-format=sha256", "-b", "main")
    write(repo, "a/b.txt", "1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "i")
    write(repo, "c.txt", "2\n")
    assert take_snapshot(repo, AI).changed
    write(repo, "a/b.txt", "3\n")
    result = take_snapshot(repo, OTHER, paths=["a/b.txt"])
    assert result.files == ("a/b.txt",)
    assert git(repo, "show", f"{REF}:a/b.txt") == "3"
    assert git(repo, "fsck", "--no-progress") == ""


@pytest.mark.parametrize("named", [True, False])
def test_a_killed_update_refs_stale_lock_is_swept_by_tree_edits(repo: Path, named: bool) -> None:
    write(repo, "a.txt", "1\n")
    assert take_snapshot(repo, AI).changed  # the chain exists: tree edits from here on
    lock = repo / ".git" / (REF + ".lock")
    lock.write_text("")
    os.utime(lock, (0, 0))  # left long ago by an update-ref killed mid-way
    write(repo, "a.txt", "2\n")
    result = take_snapshot(repo, AI, paths=["a.txt"] if named else None)
    assert result.changed and result.skipped is None, result.skipped
    assert git(repo, "show", f"{REF}:a.txt") == "2"
    assert not lock.exists()
