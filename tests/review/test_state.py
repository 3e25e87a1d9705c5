from __future__ import annotations

import pytest

from switchex.errors import ReviewError
from switchex.review.state import (
    ACCEPTED,
    ROLLED_BACK,
    Event,
    Refs,
    decisions,
    parse_event,
    require_target,
    undoable,
)


def test_event_message_round_trips():
    event = Event("rollback", "qwen2.5-coder:7b", ("a" * 40, "b" * 40), "c" * 40, "d" * 40)
    assert parse_event("e" * 40, event.message()) == Event(**{**vars(event), "commit": "e" * 40})


def test_a_commit_without_review_trailers_is_not_an_event():
    assert parse_event("e" * 40, "some commit\n\nSigned-off-by: x\n") is None


def test_refs_live_next_to_the_chain_key():
    refs = Refs.for_chain("refs/switchex/snapshots/wt-feature%2Fx")
    assert refs.log == "refs/switchex/review/wt-feature%2Fx/log"
    assert refs.backups == "refs/switchex/review/wt-feature%2Fx/backup/"


def test_undo_makes_rolled_back_segments_pending_again():
    events = [
        Event("accept", "gemini-flash", ("s1",), commit="e1"),
        Event("rollback", "deepseek", ("s2", "s3"), commit="e2"),
        Event("rollback", "local", ("s4",), commit="e3"),
        Event("undo", "local", ("s4",), undoes="e3", commit="e4"),
    ]
    assert decisions(events) == {"s1": ACCEPTED, "s2": ROLLED_BACK, "s3": ROLLED_BACK}
    assert undoable(events) == events[1]
    assert undoable(events[:1]) is None


@pytest.mark.parametrize("name", ["", "two\nlines", "tab\there"])
def test_model_names_must_be_one_printable_line(name):
    with pytest.raises(ReviewError, match="bad model name"):
        require_target(name)
