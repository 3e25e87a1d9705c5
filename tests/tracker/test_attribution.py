"""AttributionBook: the latest tool_use model of a session owns the next changes."""

from __future__ import annotations

import threading
from pathlib import Path

from switchex.tracker.attribution import AttributionBook
from switchex.tracker.records import Attribution


def test_human_until_a_tool_use_response() -> None:
    book = AttributionBook()
    assert book.current("s") == Attribution("human", "human", "s", "human")
    book.responded("s", "claude-opus", "claude", tool_use=False)
    assert book.current("s").kind == "human"
    book.responded("s", "qwen2.5-coder:7b", "local", tool_use=True)
    book.responded("s", "gemini-2.5-flash", "gemini-flash", tool_use=False)
    assert book.current("s") == Attribution("qwen2.5-coder:7b", "local", "s", "ai")
    assert book.current("other").kind == "human"


def test_subagents_have_their_own_latest_and_fall_back_to_the_session() -> None:
    book = AttributionBook()
    book.responded("s", "main-model", "claude", tool_use=True)
    assert book.current("s", agent="sub").model == "main-model"
    book.responded("s", "sub-model", "local", tool_use=True, agent="sub")
    assert book.current("s", agent="sub").model == "sub-model"
    assert book.current("s").model == "main-model"


def test_repo_precedence_registered_then_hint_then_remembered() -> None:
    book = AttributionBook()
    assert book.repo_for("s", None) is None
    assert book.repo_for("s", Path("/hint")) == Path("/hint")
    assert book.repo_for("s", None) == Path("/hint")
    book.bind("s", Path("/registered"))
    assert book.repo_for("s", Path("/hint2")) == Path("/registered")


def test_oldest_sessions_are_forgotten() -> None:
    book = AttributionBook(max_sessions=2)
    for name in ("a", "b", "c"):
        book.responded(name, "m", "t", tool_use=True)
    assert [book.current(n).kind for n in ("a", "b", "c")] == ["human", "ai", "ai"]


def test_concurrent_updates() -> None:
    book = AttributionBook(max_sessions=50)

    def work(i: int) -> None:
        for k in range(200):
            book.responded(f"s{k % 60}", f"m{i}", "t", tool_use=True)
            book.current(f"s{k % 60}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert book.current("s59").model.startswith("m")
