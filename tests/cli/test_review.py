from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from switchex.cli.review import review
from switchex.tracker.snapshot import Attribution, take_snapshot

LINES = "".join(f"line {n}\n" for n in range(1, 21))


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "home").mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "home" / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "User")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "user@example.com")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def edit(repo: Path, old: str, new: str, model: str, tier: str) -> None:
    path = repo / "app.py"
    path.write_text(path.read_text().replace(old, new, 1))
    assert take_snapshot(repo, Attribution(model, tier, "s", "ai")).commit


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """gemini edited line 2, deepseek line 10, qwen rewrote deepseek's line 10; stash non-empty."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text(LINES)
    (root / "stashed.txt").write_text("v1\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "initial")
    (root / "stashed.txt").write_text("v2\n")
    git(root, "stash", "-q")
    edit(root, "line 2\n", "gemini 2\n", "gemini-2.5-flash", "gemini-flash")
    edit(root, "line 10\n", "deepseek 10\n", "deepseek-chat", "deepseek")
    edit(root, "deepseek 10\n", "qwen 10\n", "qwen2.5-coder:7b", "local")
    return root


def run(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(review, ["--repo", str(repo), *args], env={"COLUMNS": "160"})


def user_state(repo: Path) -> tuple[str, ...]:
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    return (
        git(repo, "rev-parse", "HEAD"),
        git(repo, "symbolic-ref", "HEAD"),
        index,
        git(repo, "stash", "list"),
        git(repo, "rev-parse", "refs/stash"),
    )


def test_analyze_is_the_default(repo):
    result = run(repo)
    assert result.exit_code == 0, result.output
    for name in ("gemini-2.5-flash", "gemini-flash", "deepseek-chat", "qwen2.5-coder:7b"):
        assert name in result.output


def test_analyze_json_has_stable_keys(repo):
    data = json.loads(run(repo, "--json").output)
    assert list(data) == ["repo", "chain", "models", "reverts", "can_undo", "left_out"]
    first = data["models"][0]
    assert list(first) == [
        "model",
        "tiers",
        "pending",
        "accepted",
        "rolled_back",
        "first",
        "last",
        "usage",
    ]
    assert (first["model"], first["pending"]["segments"], first["usage"]) == (
        "gemini-2.5-flash",
        1,
        None,
    )


def test_diff_shows_the_models_pending_changes(repo):
    result = run(repo, "--diff", "gemini-flash")
    assert result.exit_code == 0
    assert "-line 2\n+gemini 2\n" in result.output


def test_conflicting_rollback_exits_2_and_writes_nothing(repo):
    before = (repo / "app.py").read_bytes(), git(repo, "for-each-ref")

    result = run(repo, "--rollback", "deepseek")

    assert result.exit_code == 2
    assert "app.py" in result.output and "nothing written" in result.output
    assert "--allow-conflicts" in result.output
    assert ((repo / "app.py").read_bytes(), git(repo, "for-each-ref")) == before


def test_rollback_then_undo(repo):
    result = run(repo, "--rollback", "gemini-flash")
    assert result.exit_code == 0, result.output
    assert "Rolled back gemini-flash" in result.output
    assert "gemini 2" not in (repo / "app.py").read_text()

    result = run(repo, "--undo")
    assert result.exit_code == 0, result.output
    assert "gemini 2" in (repo / "app.py").read_text()


def test_accept_prints_what_was_accepted(repo):
    result = run(repo, "--accept", "local")
    assert result.exit_code == 0
    assert "Accepted local: 1 segment" in result.output and "app.py" in result.output


COMMANDS = [
    (),
    ("--json",),
    ("--diff", "local"),
    ("--accept", "gemini-flash"),
    ("--accept", "local", "--dry-run"),
    ("--rollback", "gemini-flash"),
    ("--rollback", "gemini-flash", "--dry-run"),
    ("--rollback", "deepseek"),
    ("--rollback", "deepseek", "--allow-conflicts"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_head_branch_index_and_stash_never_change(repo, args):
    before = user_state(repo)
    assert run(repo, *args).exit_code in (0, 2)
    assert user_state(repo) == before


def test_undo_leaves_head_branch_index_and_stash(repo):
    run(repo, "--rollback", "gemini-flash")
    before = user_state(repo)
    assert run(repo, "--undo").exit_code == 0
    assert user_state(repo) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (("--rollback", "gpt-9"), "unknown model 'gpt-9'; known models: deepseek, deepseek-chat"),
        (("--undo",), "nothing to undo"),
    ],
)
def test_bad_input_exits_1_with_a_clear_message(repo, args, message):
    result = run(repo, *args)
    assert result.exit_code == 1
    assert message in result.output


def test_not_a_git_repo_and_no_history(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert "not a git work tree" in run(plain).output
    git(plain, "init", "-q")
    result = run(plain, "--json")
    assert result.exit_code == 1
    assert "no switchex history" in json.loads(result.stdout)["error"]


@pytest.mark.parametrize(
    "args",
    [("--accept", "a", "--rollback", "b"), ("--undo", "--diff", "x"), ("--allow-conflicts",)],
)
def test_conflicting_options_are_a_usage_error(repo, args):
    result = run(repo, *args)
    assert result.exit_code == 64 and "Usage:" in result.output


def test_analyze_shows_requests_tokens_and_cost_from_the_journal(repo: Path) -> None:
    from switchex.cli.options import state_dir
    from switchex.journal.db import Journal

    journal = Journal(state_dir(None) / "journal.sqlite3")
    for _ in range(3):
        journal.record(
            "requests",
            {
                "time": 1.0,
                "repo": str(repo),
                "status": 200,
                "served_model": "deepseek-chat",
                "input_tokens": 1000,
                "output_tokens": 200,
                "cost": 0.125,
            },
        )
    journal.close()
    data = json.loads(run(repo, "--json").output)
    [deepseek] = [m for m in data["models"] if m["model"] == "deepseek-chat"]
    usage = deepseek["usage"]
    assert (usage["requests"], usage["output_tokens"]) == (3, 600)
    assert usage["cost"] == pytest.approx(0.375)


def test_accept_is_recorded_in_the_journal(repo: Path) -> None:
    import sqlite3

    from switchex.cli.options import state_dir

    assert run(repo, "--accept", "local").exit_code == 0
    connection = sqlite3.connect(state_dir(None) / "journal.sqlite3")
    rows = connection.execute("SELECT model, action, detail FROM reviews").fetchall()
    connection.close()
    assert [(model, action) for model, action, _ in rows] == [("local", "accept")]
    assert len(json.loads(rows[0][2])["segments"]) == 1


def sub(*args: str) -> Result:
    from switchex.cli.main import cli

    return CliRunner().invoke(cli, ["review", *args], env={"COLUMNS": "160"})


def test_subcommands_do_what_the_flags_do(repo: Path) -> None:
    analysis = json.loads(sub("analyze", "--repo", str(repo), "--json").output)
    assert {m["model"] for m in analysis["models"]} >= {"gemini-2.5-flash", "qwen2.5-coder:7b"}
    assert "-line 2\n+gemini 2\n" in sub("--repo", str(repo), "diff", "gemini-flash").output

    dry = sub("rollback", "gemini-flash", "--repo", str(repo), "--dry-run")
    assert dry.exit_code == 0 and "gemini 2" in (repo / "app.py").read_text()
    done = sub("rollback", "gemini-flash", "--repo", str(repo))
    assert done.exit_code == 0, done.output
    assert "gemini 2" not in (repo / "app.py").read_text()
    assert sub("undo", "--repo", str(repo)).exit_code == 0
    assert "gemini 2" in (repo / "app.py").read_text()
    assert sub("accept", "local", "--repo", str(repo)).exit_code == 0

    assert sub("rollback", "deepseek", "--repo", str(repo)).exit_code == 2
    assert sub("undo", "--repo", str(repo)).exit_code == 1  # nothing left to undo


@pytest.mark.parametrize(
    "args",
    [("rollback",), ("accept",), ("undo", "extra"), ("--undo", "analyze"), ("bogus",)],
)
def test_subcommand_usage_errors_exit_64(repo: Path, args: tuple[str, ...]) -> None:
    result = sub("--repo", str(repo), *args)
    assert result.exit_code == 64, result.output


def test_undo_with_overlapping_later_work_exits_2_and_writes_nothing(repo: Path) -> None:
    assert run(repo, "--rollback", "gemini-flash").exit_code == 0
    text = (repo / "app.py").read_text().replace("line 2\n", "mine 2\n")
    (repo / "app.py").write_text(text)

    result = run(repo, "--undo")

    assert result.exit_code == 2 and "nothing written" in result.output
    assert (repo / "app.py").read_text() == text
    forced = run(repo, "--undo", "--allow-conflicts")
    assert forced.exit_code == 2 and "<<<<<<<" in (repo / "app.py").read_text()


def test_state_dir_option_picks_the_journal(repo: Path, tmp_path: Path) -> None:
    from switchex.journal.db import Journal

    other = tmp_path / "other-state"
    journal = Journal(other / "journal.sqlite3")
    journal.record(
        "requests",
        {
            "time": 1.0,
            "repo": str(repo),
            "status": 200,
            "served_model": "deepseek-chat",
            "input_tokens": 1,
            "output_tokens": 7,
            "cost": 0.0,
        },
    )
    journal.close()

    def usage(*args: str) -> object:
        data = json.loads(run(repo, "--json", *args).output)
        return next(m["usage"] for m in data["models"] if m["model"] == "deepseek-chat")

    assert usage() is None
    assert usage("--state-dir", str(other))["output_tokens"] == 7  # type: ignore[index]
