from __future__ import annotations

import pytest

from switchex.errors import ReviewError
from switchex.review.segments import load_review


@pytest.fixture
def chain(work):
    work.edit("app.py", "line 1\n", "gemini 1\n")
    work.snap("gemini-2.5-flash")
    work.git("mv", "app.py", "main.py")
    work.snap("qwen2.5-coder:7b")
    work.write("notes.md", "by hand\n")
    work.snap("human", kind="human")
    return work


@pytest.mark.parametrize(
    "name, models",
    [
        ("gemini-flash", ["gemini-2.5-flash"]),
        ("gemini-2.5-flash", ["gemini-2.5-flash"]),
        ("qwen2.5-coder:7b", ["qwen2.5-coder:7b"]),
        ("local", ["qwen2.5-coder:7b"]),
        ("human", ["human"]),
    ],
)
def test_model_is_a_tier_an_exact_model_id_or_human(chain, name, models):
    assert [s.who for s in load_review(chain.root).select(name)] == models


def test_segments_count_files_and_lines_with_renames_as_the_new_path(chain):
    gemini, qwen, human = load_review(chain.root).segments
    assert (gemini.files, gemini.added, gemini.removed) == (("app.py",), 1, 1)
    assert qwen.files == ("main.py",)
    assert (human.files, human.kind) == (("notes.md",), "human")


def test_unknown_model_lists_known_names(chain):
    with pytest.raises(ReviewError) as caught:
        load_review(chain.root).select("gpt-5")
    assert str(caught.value) == (
        "unknown model 'gpt-5'; known models: "
        "gemini-2.5-flash, gemini-flash, human, local, qwen2.5-coder:7b"
    )


def test_a_repo_without_switchex_history_says_so(work):
    with pytest.raises(ReviewError, match="no switchex history"):
        load_review(work.root)


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: None])
def test_a_path_that_is_not_a_git_work_tree_says_so(tmp_path, make):
    path = tmp_path / "plain"
    make(path)
    with pytest.raises(ReviewError, match=r"not a git work tree|no such directory"):
        load_review(path)


def test_a_subdirectory_reviews_its_work_tree(chain):
    (chain.root / "sub").mkdir()
    assert load_review(chain.root / "sub").worktree == chain.root
