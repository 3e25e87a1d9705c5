"""timeline: the chain newest first, with files and line counts, never the user's history."""

from __future__ import annotations

from pathlib import Path

from switchex.tracker.log import timeline
from switchex.tracker.records import Attribution
from switchex.tracker.snapshot import take_snapshot

from .helpers import AI, HUMAN, OTHER, git, write


def test_empty_chain(repo: Path) -> None:
    assert timeline(repo) == []


def test_newest_first_with_numstat(repo: Path) -> None:
    write(repo, "a.txt", "1\n2\n3\n")
    first = take_snapshot(repo, AI)
    write(repo, "a.txt", "1\n3\n")
    (repo / "blob.bin").write_bytes(b"\0\1\2")
    second = take_snapshot(repo, OTHER)
    write(repo, "sp ace/é.txt", "x\n")
    third = take_snapshot(repo, HUMAN)
    rows = timeline(repo)
    assert [r["commit"] for r in rows] == [third.commit, second.commit, first.commit]
    assert [(r["model"], r["kind"], r["session"]) for r in rows] == [
        ("human", "human", "sess-1"),
        ("gemini-2.5-flash", "ai", "sess-1"),
        ("qwen2.5-coder:7b", "ai", "sess-1"),
    ]
    assert [(r["files"], r["added"], r["removed"]) for r in rows] == [
        (["sp ace/é.txt"], 1, 0),
        (["a.txt", "blob.bin"], 0, 1),
        (["a.txt"], 3, 0),
    ]
    assert rows[0]["time"] >= rows[-1]["time"] > 0
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 1  # the user's branch untouched


def test_left_out_files_and_rollback_or_undo_are_told_apart(repo: Path) -> None:
    from switchex.review.rollback import rollback
    from switchex.review.undo import undo

    big = repo / "big.bin"
    big.write_bytes(b"x" * 100)
    (repo / "work.py").write_text("a = 1\n")
    snap = take_snapshot(repo, Attribution("m1", "tier1", "s", "ai"), max_file_bytes=50)
    assert snap.commit
    rollback(repo, "tier1")
    undo(repo)

    entries = timeline(repo)

    assert [e["label"] for e in entries[:2]] == ["undo", "rollback"]
    assert entries[-1]["left_out"] == ["big.bin"]
