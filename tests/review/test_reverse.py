from __future__ import annotations

import os
from dataclasses import astuple

import pytest

from switchex.review.reverse import conflict_hunks, is_binary
from switchex.review.rollback import rollback

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def test_a_created_file_is_deleted_and_empty_directories_go_with_it(work):
    work.write("pkg/deep/new.py", "print('new')\n")
    work.snap("gemini-2.5-flash")

    rollback(work.root, "gemini-flash")

    assert not (work.root / "pkg").exists()


def test_a_deleted_file_comes_back_byte_for_byte(work):
    work.write("notes.bin", PNG)
    work.git("add", "notes.bin")
    work.git("commit", "-qm", "binary")
    (work.root / "notes.bin").unlink()
    work.snap("gemini-2.5-flash")

    rollback(work.root, "gemini-flash")

    assert (work.root / "notes.bin").read_bytes() == PNG


def test_a_rename_is_undone_keeping_a_later_edit_of_the_renamed_file(work):
    work.git("mv", "app.py", "main.py")  # a model's rename, staged or not makes no difference
    work.snap("gemini-2.5-flash")
    work.edit("main.py", "line 20\n", "deepseek 20\n")
    work.snap("deepseek-chat")

    rollback(work.root, "gemini-flash")

    assert not (work.root / "main.py").exists()
    assert work.read("app.py") == work.LINES.replace("line 20\n", "deepseek 20\n")


def test_a_binary_file_untouched_since_is_restored_whole(work):
    work.write("logo.png", PNG)
    work.snap("human", kind="human")
    work.write("logo.png", PNG[::-1])
    work.snap("gemini-2.5-flash")

    rollback(work.root, "gemini-flash")

    assert (work.root / "logo.png").read_bytes() == PNG


def test_an_exec_bit_change_is_undone(work):
    os.chmod(work.root / "app.py", 0o755)
    work.snap("gemini-2.5-flash")

    rollback(work.root, "gemini-flash")

    assert not os.access(work.root / "app.py", os.X_OK)


CONFLICTS = {
    "created, then edited by another model": (
        lambda w: w.write("new.py", "a\n"),
        lambda w: w.write("new.py", "a\nb\n"),
        "created by gemini-2.5-flash, changed since",
    ),
    "binary, then changed by another model": (
        lambda w: w.write("logo.png", PNG),
        lambda w: w.write("logo.png", PNG + b"\x00more"),
        "created by gemini-2.5-flash, changed since",
    ),
    "deleted, then created again": (
        lambda w: (w.root / "app.py").unlink(),
        lambda w: w.write("app.py", "something else\n"),
        "deleted by gemini-2.5-flash, created again since",
    ),
    "edited, then the file deleted": (
        lambda w: w.edit("app.py", "line 1\n", "gemini 1\n"),
        lambda w: (w.root / "app.py").unlink(),
        "changed by gemini-2.5-flash, deleted since",
    ),
}


@pytest.mark.parametrize("first, later, reason", CONFLICTS.values(), ids=CONFLICTS.keys())
def test_whole_file_conflicts_write_nothing(work, first, later, reason):
    first(work)
    work.snap("gemini-2.5-flash")
    later(work)
    work.snap("deepseek-chat")
    files = work.files()

    outcome = rollback(work.root, "gemini-flash")

    assert outcome.blocked
    assert [c.reason for c in outcome.conflicts] == [reason]
    assert work.files() == files


def test_a_binary_edit_changed_since_conflicts(work):
    work.write("logo.png", PNG)
    work.snap("human", kind="human")
    work.write("logo.png", PNG + b"\x00gemini")
    work.snap("gemini-2.5-flash")
    work.write("logo.png", PNG + b"\x00deepseek")
    work.snap("deepseek-chat")

    outcome = rollback(work.root, "gemini-flash")

    assert [c.reason for c in outcome.conflicts] == [
        "binary file changed by gemini-2.5-flash, changed since"
    ]


def test_conflict_hunks_are_located_in_the_current_file():
    merged = (
        b"a\n<<<<<<< current\nmine\n=======\nold\nolder\n>>>>>>> before x\n"
        b"b\n<<<<<<< current\n1\n2\n=======\n>>>>>>> before x\nz\n"
    )
    assert [astuple(h) for h in conflict_hunks(merged)] == [
        (2, 1, "mine\n", "old\nolder\n"),
        (4, 2, "1\n2\n", ""),
    ]


@pytest.mark.parametrize("data, binary", [(b"text\n", False), (PNG, True), (b"", False)])
def test_binary_means_a_nul_byte_near_the_start(data, binary):
    assert is_binary(data) is binary
