"""Incremental snapshots: a Write/Edit batch re-indexes only the paths it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchex.tracker import snapshot as snapshot_module
from switchex.tracker.repo import Repo
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


def test_a_chain_moved_by_someone_else_falls_back_to_a_full_scan(repo: Path) -> None:
    write(repo, "x.txt", "1\n")
    first = take_snapshot(repo, AI)
    assert first.changed
    write(repo, "y.txt", "2\n")
    second = take_snapshot(repo, AI)
    git(repo, "update-ref", REF, str(first.commit))  # e.g. an older chain restored
    write(repo, "z.txt", "3\n")
    third = take_snapshot(repo, OTHER, paths=["z.txt"])
    # The kept index was for the second snapshot's tree: the scan also finds y.txt again.
    assert set(third.files) == {"y.txt", "z.txt"}
    assert second.commit != third.parent


def test_no_full_walk_for_a_batch_of_writers(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, "x.txt", "1\n")
    assert take_snapshot(repo, AI).changed
    walks: list[Path] = []
    original = snapshot_module._changed_paths

    def spy(found: Repo, env: dict[str, str]) -> tuple[list[str], list[str]]:
        walks.append(found.worktree)
        return original(found, env)

    monkeypatch.setattr(snapshot_module, "_changed_paths", spy)
    write(repo, "x.txt", "2\n")
    assert take_snapshot(repo, AI, paths=["x.txt"]).files == ("x.txt",)
    assert walks == []
    write(repo, "y.txt", "2\n")
    assert take_snapshot(repo, AI).files == ("y.txt",)
    assert len(walks) == 1


def test_oversized_named_file_is_left_out_and_said(repo: Path) -> None:
    write(repo, "x.txt", "1\n")
    assert take_snapshot(repo, AI).changed
    write(repo, "big.bin", "0" * 100)
    result = take_snapshot(repo, AI, paths=["big.bin"], max_file_bytes=10)
    assert result.skipped_files == ("big.bin",) and not result.changed
    assert any("larger than 10 bytes" in note for note in result.notes)
