from __future__ import annotations

from switchex.review.accept import accept
from switchex.review.analyze import ModelUsage, analyze, pending_diff
from switchex.review.rollback import rollback


def test_analyze_counts_per_model_and_status(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    work.write("b.py", "1\n2\n")
    work.snap("gemini-2.5-flash")
    work.edit("app.py", "line 9\n", "deepseek 9\n")
    work.snap("deepseek-chat")
    accept(work.root, "deepseek")
    rollback(work.root, "gemini-flash")

    reports = {r.model: r for r in analyze(work.root).models}

    gemini, deepseek = reports["gemini-2.5-flash"], reports["deepseek-chat"]
    assert (gemini.tiers, gemini.pending.segments, gemini.rolled_back.segments) == (
        ("gemini-flash",),
        0,
        2,
    )
    assert (gemini.rolled_back.files, gemini.rolled_back.added) == (("app.py", "b.py"), 3)
    assert (deepseek.accepted.segments, deepseek.pending.segments) == (1, 0)
    assert gemini.first and gemini.last and gemini.first <= gemini.last


def test_usage_comes_from_the_injected_mapping(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    usage = {
        "gemini-2.5-flash": ModelUsage(3, 1200, 300, 0.01),
        "claude-sonnet-4": ModelUsage(1, 50, 10, 0.002),
    }

    reports = {r.model: r for r in analyze(work.root, usage).models}

    assert reports["gemini-2.5-flash"].usage == usage["gemini-2.5-flash"]
    assert reports["claude-sonnet-4"].pending.segments == 0  # answered, edited nothing
    assert analyze(work.root).models[0].usage is None


def test_diff_shows_only_pending_segments(work):
    work.edit("app.py", "line 2\n", "gemini 2\n")
    work.snap("gemini-2.5-flash")
    accept(work.root, "gemini-flash")
    work.edit("app.py", "line 4\n", "gemini 4\n")
    work.snap("gemini-2.5-flash")

    [only] = pending_diff(work.root, "gemini-flash")

    assert "+gemini 4" in only.patch and "+gemini 2" not in only.patch
