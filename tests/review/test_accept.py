from __future__ import annotations

from switchex.review.accept import accept
from switchex.review.segments import load_review
from switchex.review.state import ACCEPTED, PENDING


def test_accept_marks_pending_segments_and_leaves_files(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "line 3\n", "deepseek 3\n")
    work.snap("deepseek-chat")
    files = work.files()

    outcome = accept(work.root, "gemini-flash")

    assert outcome.written and len(outcome.segments) == 1
    assert work.files() == files
    statuses = {s.model: s.status for s in load_review(work.root).segments}
    assert statuses == {"gemini-2.5-flash": ACCEPTED, "deepseek-chat": PENDING}
    assert accept(work.root, "gemini-flash").note == "nothing pending"


def test_accept_history_is_kept_as_a_chain(work):
    for n in (2, 3):
        work.edit("app.py", f"line {n}\n", f"gemini {n}\n")
        work.snap("gemini-2.5-flash")
        accept(work.root, "gemini-flash")
    log = work.git("log", "--format=%s", "refs/switchex/review/main/log")
    assert log.splitlines() == ["switchex review: accept gemini-flash (1 segment)"] * 2


def test_dry_run_accept_writes_no_ref(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    refs = work.refs()

    outcome = accept(work.root, "gemini-flash", dry_run=True)

    assert len(outcome.segments) == 1 and not outcome.written
    assert work.refs() == refs
