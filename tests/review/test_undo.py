from __future__ import annotations

import pytest

from switchex.errors import ReviewError
from switchex.review.rollback import rollback
from switchex.review.segments import load_review
from switchex.review.state import PENDING
from switchex.review.undo import undo


@pytest.fixture
def rolled_back(work):
    """gemini edited app.py, created two files and deleted .gitignore; a human edit is
    not snapshotted yet; then gemini is rolled back."""
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.write("src/new.py", "new\n")
    work.write("tool.sh", "#!/bin/sh\n")
    (work.root / "tool.sh").chmod(0o755)
    (work.root / ".gitignore").unlink()
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "line 12\n", "by hand 12\n")
    before = work.files()
    rollback(work.root, "gemini-flash")
    assert work.files() != before
    return before


def test_undo_restores_the_work_tree_byte_for_byte(work, rolled_back):
    undo(work.root)

    assert work.files() == rolled_back
    assert {s.status for s in load_review(work.root).select("gemini-flash")} == {PENDING}


def test_undo_backs_up_what_it_replaces(work, rolled_back):
    work.edit("app.py", "line 20\n", "after the rollback 20\n")

    outcome = undo(work.root)

    assert outcome.backup_ref
    assert "after the rollback 20" in work.git("show", f"{outcome.backup_ref}:app.py")
    assert "after the rollback 20" in work.read("app.py")
    assert "gemini 2" in work.read("app.py")


def test_undo_keeps_work_done_after_the_rollback(work, rolled_back):
    work.write("later.py", "written after the rollback\n")
    work.edit("app.py", "line 19\n", "edited after 19\n")

    outcome = undo(work.root)

    assert outcome.written and not outcome.conflicts
    assert work.read("later.py") == "written after the rollback\n"
    app = work.read("app.py")
    assert "edited after 19" in app and "gemini 2" in app and "by hand 12" in app
    assert work.read("src/new.py") == "new\n"
    assert not (work.root / ".gitignore").exists()


def test_undo_stops_on_overlapping_work_unless_allowed(work, rolled_back):
    work.write("src/new.py", "mine now\n")
    files = work.files()

    dry = undo(work.root, dry_run=True)
    blocked = undo(work.root)

    assert dry.blocked and blocked.blocked and not blocked.written
    assert [c.path for c in blocked.conflicts] == ["src/new.py"]
    assert work.files() == files
    forced = undo(work.root, allow_conflicts=True)
    assert forced.written and work.read("src/new.py") == "mine now\n"
    assert "gemini 2" in work.read("app.py")


def test_dry_run_undo_writes_nothing(work, rolled_back):
    files, refs = work.files(), work.refs()

    outcome = undo(work.root, dry_run=True)

    assert {c.path for c in outcome.changes} >= {"app.py", "src/new.py", "tool.sh"}
    assert (work.files(), work.refs()) == (files, refs)


def test_undos_walk_back_through_rollbacks(work):
    original = work.files()
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "line 9\n", "deepseek 9\n")
    work.snap("deepseek-chat")
    edited = work.files()
    rollback(work.root, "deepseek")
    rollback(work.root, "gemini-flash")
    assert work.files() == original

    undo(work.root)
    undo(work.root)

    assert work.files() == edited
    with pytest.raises(ReviewError, match="nothing to undo"):
        undo(work.root)


def test_nothing_to_undo_before_any_rollback(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")

    with pytest.raises(ReviewError, match="nothing to undo"):
        undo(work.root)


def test_a_write_failing_part_way_can_be_undone(work, monkeypatch):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.write("new.py", "new\n")
    work.snap("gemini-2.5-flash")
    before = work.files()

    def half_written(git, tree, changes):
        (work.root / "new.py").unlink()
        raise OSError("disk full")

    with monkeypatch.context() as patched, pytest.raises(ReviewError, match=r"disk full.*--undo"):
        patched.setattr("switchex.review.rollback.write_changes", half_written)
        rollback(work.root, "gemini-flash")

    undo(work.root)
    assert work.files() == before
