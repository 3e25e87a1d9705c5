"""A hostile repository's own config and hooks never make tracker or review run a command."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from switchex.review.analyze import analyze, pending_diff
from switchex.review.rollback import rollback
from switchex.review.undo import undo
from switchex.tracker.filters import clear_cache, overrides
from switchex.tracker.log import timeline
from switchex.tracker.snapshot import take_snapshot

from .helpers import AI, HUMAN, git, make_repo, write

HOOKS = (
    "pre-commit",
    "post-commit",
    "post-checkout",
    "post-index-change",
    "reference-transaction",
    "pre-auto-gc",
    "post-rewrite",
    "fsmonitor-watchman",
)


def _hostile_command(tmp_path: Path, marker: Path) -> str:
    script = tmp_path / "hostile.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker}"\ncat\n')
    script.chmod(0o755)
    return str(script)


def _make_hostile(repo: Path, tmp_path: Path, marker: Path) -> None:
    command = _hostile_command(tmp_path, marker)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for directory in (hooks, repo / ".git" / "hooks"):
        for name in HOOKS:
            hook = directory / name
            hook.write_text(f'#!/bin/sh\necho "{name}" >> "{marker}"\n')
            hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    settings = {
        "core.fsmonitor": command,
        "core.hooksPath": str(hooks),
        "core.pager": command,
        "core.editor": command,
        "core.askPass": command,
        "core.sshCommand": command,
        "sequence.editor": command,
        "credential.helper": f"!{command}",
        "diff.external": command,
        "diff.evil.textconv": command,
        "diff.evil.command": command,
        "merge.evil.driver": command,
        "filter.evil.clean": command,
        "filter.evil.smudge": command,
        "filter.evil.required": "true",
        "filter.proc.process": command,
        "gpg.program": command,
        "commit.gpgSign": "true",
        "log.showSignature": "true",
        "pager.log": command,
    }
    for key, value in settings.items():
        git(repo, "config", key, value)
    write(repo, ".gitattributes", "*.txt filter=evil diff=evil merge=evil\n*.dat filter=proc\n")


def test_hostile_local_config_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo = make_repo(tmp_path / "repo", {"notes.txt": "one\ntwo\n", "app.py": "a = 1\n"})
    _make_hostile(repo, tmp_path, marker)
    clear_cache()

    assert take_snapshot(repo, HUMAN, baseline=True).skipped is None
    write(repo, "notes.txt", "one\nmodel two\n")
    write(repo, "blob.dat", "data\n")
    write(repo, "app.py", "a = 2\n")
    snap = take_snapshot(repo, AI)
    assert snap.changed and "notes.txt" in snap.files
    assert timeline(repo)[0]["model"] == AI.model
    assert analyze(repo, None).models
    assert pending_diff(repo, AI.tier)
    assert rollback(repo, AI.tier).written
    assert (repo / "notes.txt").read_text() == "one\ntwo\n"
    write(repo, "later.py", "kept\n")
    assert undo(repo).written
    assert (repo / "notes.txt").read_text() == "one\nmodel two\n"

    assert not marker.exists(), marker.read_text()
    # Sanity: the same repository does run the commands for plain git.
    git(repo, "add", "-A")
    assert marker.exists()


def test_filter_of_the_global_config_still_runs(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    home_config = Path(os.environ["GIT_CONFIG_GLOBAL"])
    home_config.write_text('[filter "upper"]\n\tclean = tr a-z A-Z\n\tsmudge = cat\n')
    repo = make_repo(tmp_path / "repo", {".gitattributes": "*.up filter=upper\n"})
    git(repo, "config", "filter.upper.clean", _hostile_command(tmp_path, marker))
    clear_cache()
    write(repo, "a.up", "shout\n")

    snap = take_snapshot(repo, AI)

    assert git(repo, "show", f"{snap.commit}:a.up") == "SHOUT"
    assert not marker.exists()


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([("local", "filter.x.clean", "evil")], {"filter.x.clean=", "filter.x.required=false"}),
        ([("global", "filter.lfs.clean", "git-lfs clean -- %f")], set()),
        (
            [("global", "filter.lfs.clean", "lfs"), ("local", "filter.lfs.clean", "evil")],
            {"filter.lfs.clean=lfs"},
        ),
        ([("local", "filter.a.b.process", "evil")], {"filter.a.b.process=", "filter.a.b.smudge="}),
    ],
)
def test_filter_overrides(entries: list[tuple[str, str, str]], expected: set[str]) -> None:
    options = overrides(entries)
    assert set(options[1::2]) >= expected
    assert all(flag == "-c" for flag in options[::2])
