from __future__ import annotations

import os
import time

import pytest

from switchex.errors import ReviewError
from switchex.review.git import Git, scratch
from switchex.review.reverse import read_tree
from switchex.review.worktree import check_disk, disk_tree, file_changes, write_changes


def test_disk_tree_has_untracked_files_and_honours_gitignore(work):
    work.write("untracked.py", "u\n")
    work.write("debug.log", "ignored\n")
    with scratch(Git(work.root)) as git:
        paths = set(read_tree(git, disk_tree(git)))
    assert paths == {".gitignore", "app.py", "untracked.py"}


def test_a_file_changed_after_planning_stops_the_write(work):
    with scratch(Git(work.root)) as git:
        old = disk_tree(git)
        work.write("app.py", "new\n")
        new = disk_tree(git)
        changes = file_changes(git, old, new)
        work.write("app.py", "changed meanwhile\n")
        with pytest.raises(ReviewError, match=r"changed on disk while reviewing: app\.py"):
            check_disk(git, changes)


def test_write_changes_makes_the_work_tree_match_the_tree(work):
    with scratch(Git(work.root)) as git:
        wanted = disk_tree(git)
        (work.root / "app.py").unlink()
        work.write("a/b/c.txt", "c\n")
        current = disk_tree(git)
        changes = file_changes(git, current, wanted)

        check_disk(git, changes)
        write_changes(git, wanted, changes)

    assert work.read("app.py") == work.LINES
    assert not (work.root / "a").exists()


def test_a_same_size_edit_within_the_index_timestamp_is_seen(work):
    """Racy git: an entry as new as the index itself must be re-read, even in our copy."""
    work.git("config", "core.trustctime", "false")
    app, index = work.root / "app.py", work.root / ".git" / "index"
    stamp = time.time_ns() - 100 * 10**9
    os.utime(app, ns=(stamp, stamp))
    work.git("update-index", "--refresh")
    work.write("app.py", work.LINES.replace("line 1\n", "LINE 1\n"))
    for path in (app, index):
        os.utime(path, ns=(stamp, stamp))

    with scratch(Git(work.root)) as git:
        tree = disk_tree(git)
        assert "LINE 1" in git.blob(read_tree(git, tree)["app.py"].blob).decode()
