from __future__ import annotations

import subprocess
import sys

import pytest

from switchex.errors import ReviewError
from switchex.review.accept import accept
from switchex.review.rollback import rollback
from switchex.review.segments import load_review
from switchex.review.state import PENDING, ROLLED_BACK


def test_rollback_keeps_a_later_models_lines_elsewhere_in_the_file(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "line 15\n", "deepseek 15\n")
    work.snap("deepseek-chat")

    outcome = rollback(work.root, "gemini-flash")

    assert outcome.written and not outcome.conflicts
    assert work.read("app.py") == work.LINES.replace("line 15\n", "deepseek 15\n")
    review = load_review(work.root)
    assert [s.status for s in review.select("gemini-flash")] == [ROLLED_BACK]
    assert review.reverts == 1


def test_rollback_of_a_middle_model_whose_lines_were_edited_later_writes_nothing(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "line 10\n", "deepseek 10\n")
    work.snap("deepseek-chat")
    work.edit("app.py", "deepseek 10\n", "qwen rewrote 10\n")
    work.snap("qwen2.5-coder:7b")
    files, refs = work.files(), work.refs()

    outcome = rollback(work.root, "deepseek")

    assert outcome.blocked and not outcome.written
    [conflict] = outcome.conflicts
    assert conflict.path == "app.py"
    assert [(h.line, h.current, h.restored) for h in conflict.hunks] == [
        (10, "qwen rewrote 10\n", "line 10\n")
    ]
    assert (work.files(), work.refs()) == (files, refs)


def test_allow_conflicts_writes_standard_markers(work):
    work.edit("app.py", "line 10\n", "deepseek 10\n")
    work.snap("deepseek-chat")
    work.edit("app.py", "deepseek 10\n", "qwen 10\n")
    work.snap("qwen2.5-coder:7b")

    outcome = rollback(work.root, "deepseek", allow_conflicts=True)

    assert outcome.written and outcome.conflicts and not outcome.blocked
    text = work.read("app.py")
    assert "<<<<<<< current\nqwen 10\n=======\nline 10\n>>>>>>> before deepseek-chat\n" in text


def test_work_committed_by_the_user_in_between_is_still_reversible(work):
    work.edit("app.py", "line 3\n", "gemini 3\n")
    work.snap("gemini-2.5-flash")
    work.git("commit", "-q", "-am", "user commits the model's work")
    head = work.git("rev-parse", "HEAD")
    work.edit("app.py", "line 18\n", "deepseek 18\n")
    work.snap("deepseek-chat")

    rollback(work.root, "gemini-2.5-flash")

    assert work.read("app.py") == work.LINES.replace("line 18\n", "deepseek 18\n")
    assert work.git("rev-parse", "HEAD") == head


def test_edits_not_yet_snapshotted_are_kept_and_backed_up(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "line 19\n", "typed by hand 19\n")

    outcome = rollback(work.root, "gemini-flash")

    assert work.read("app.py") == work.LINES.replace("line 19\n", "typed by hand 19\n")
    assert outcome.backup_ref
    saved = work.git("show", f"{outcome.backup_ref}:app.py")
    assert "typed by hand 19" in saved and "gemini 2" in saved


def test_accepted_segments_are_not_rolled_back(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    accept(work.root, "gemini-flash")
    files = work.files()

    outcome = rollback(work.root, "gemini-flash")

    assert outcome.note == "nothing pending" and not outcome.written
    assert work.files() == files


def test_newest_segment_is_undone_first(work):
    work.edit("app.py", "line 4\n", "gemini 4\n")
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "gemini 4\n", "gemini again 4\n")
    work.snap("gemini-2.5-flash")

    rollback(work.root, "gemini-flash")

    assert work.read("app.py") == work.LINES


def test_rolling_back_human_work(work):
    work.edit("app.py", "line 6\n", "by hand 6\n")
    work.snap("human", kind="human")
    work.edit("app.py", "line 16\n", "gemini 16\n")
    work.snap("gemini-2.5-flash")

    rollback(work.root, "human")

    assert work.read("app.py") == work.LINES.replace("line 16\n", "gemini 16\n")


def test_unknown_model_lists_the_known_ones(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")

    with pytest.raises(
        ReviewError, match=r"unknown model 'gpt-9'.*gemini-2\.5-flash, gemini-flash"
    ):
        rollback(work.root, "gpt-9")


HOLD_LOCK = """
import sys, time
from pathlib import Path
from switchex.tracker.lock import repo_lock
with repo_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(30)
"""


def test_waits_for_the_lock_then_fails_clearly(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    args = [sys.executable, "-c", HOLD_LOCK, str(work.root)]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout and holder.stdout.readline() == "held\n"
            with pytest.raises(ReviewError, match="lock is busy"):
                rollback(work.root, "gemini-flash", timeout=0.3)
        finally:
            holder.kill()
    assert "gemini 2" in work.read("app.py")


def test_dry_run_writes_nothing_anywhere(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.write("new.py", "x\n")
    work.snap("gemini-2.5-flash")
    before = (work.files(), work.refs(), work.git_files())

    outcome = rollback(work.root, "gemini-flash", dry_run=True)

    assert [(c.path, c.action) for c in outcome.changes] == [
        ("app.py", "modify"),
        ("new.py", "delete"),
    ]
    assert "-gemini 2\n+line 2\n" in outcome.patch
    assert (work.files(), work.refs(), work.git_files()) == before


def test_whole_file_conflict_allowed_stays_pending_and_is_recorded(work):
    work.write("made.py", "by gemini\n")
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    work.write("made.py", "changed by hand\n")

    outcome = rollback(work.root, "gemini-flash", allow_conflicts=True)

    assert outcome.written and [c.path for c in outcome.conflicts] == ["made.py"]
    assert "gemini 2" not in work.read("app.py")
    assert work.read("made.py") == "changed by hand\n"
    review = load_review(work.root)
    assert [s.status for s in review.select("gemini-flash")] == [PENDING]
    assert review.events[-1].conflicts == ("made.py",)
    again = rollback(work.root, "gemini-flash", dry_run=True)
    assert [c.path for c in again.conflicts] == ["made.py"] and not again.note
