"""What a team reads: attribution refs pushed and fetched, the team journal through the CLI."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from switchex.cli.review import review
from switchex.cli.status import default_journal, recorded_switches
from switchex.journal.postgres import PostgresJournal
from switchex.tracker.snapshot import Attribution, take_snapshot
from tests.team.servers import PostgresServer


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def developer(tmp_path: Path) -> Path:
    """A repository where gemini-2.5-flash wrote a line, with an empty bare `origin`."""
    origin, root = tmp_path / "origin.git", tmp_path / "dev"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("line 1\nline 2\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "initial")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    (root / "app.py").write_text("line 1\ngemini 2\n")
    assert take_snapshot(root, Attribution("gemini-2.5-flash", "gemini-flash", "s", "ai")).commit
    return root


def analyze(repo: Path) -> dict[str, object]:
    result = CliRunner().invoke(review, ["--repo", str(repo), "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def test_review_works_on_pushed_and_fetched_refs(developer: Path, tmp_path: Path) -> None:
    git(developer, "push", "-q", "origin", "refs/switchex/*:refs/switchex/*")
    reviewer = tmp_path / "reviewer"
    git(tmp_path, "clone", "-q", str(tmp_path / "origin.git"), str(reviewer))
    git(reviewer, "fetch", "-q", "origin", "refs/switchex/*:refs/switchex/*")
    mine, fetched = analyze(developer), analyze(reviewer)
    assert [m["model"] for m in fetched["models"]] == ["gemini-2.5-flash"]  # type: ignore[attr-defined, index]
    assert fetched["models"] == mine["models"]


def test_status_and_review_read_the_team_journal(
    postgres: PostgresServer, developer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = PostgresJournal(postgres.dsn, tmp_path / "spool.sqlite3", interval=0.05)
    journal.record(
        "switches",
        {"time": time.time(), "from_tier": "org", "to_tier": "b", "reason": "rate_limit"},
    )
    row = {"time": 1.0, "repo": str(developer), "status": 200, "served_model": "gemini-2.5-flash"}
    journal.record("requests", {**row, "output_tokens": 7, "cost": 0.25})
    assert journal.flush()
    journal.close()
    config = tmp_path / "team.yaml"
    config.write_text(f"tiers: [{{name: org, provider: anthropic}}]\njournal: '{postgres.dsn}'\n")
    monkeypatch.setenv("SWITCHEX_CONFIG", str(config))
    [switch] = recorded_switches(default_journal())
    assert (switch["from"], switch["to"], switch["reason"]) == ("org", "b", "rate_limit")
    [model] = analyze(developer)["models"]  # type: ignore[misc]
    assert model["usage"]["requests"] == 1 and model["usage"]["cost"] == 0.25
