from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from switchex.cli.main import cli


def test_config_check_shows_the_chain_and_key_presence_never_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "AIza-very-secret-value")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["config", "check"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "embedded default" in result.output
    for name in ("claude", "gemini-flash", "deepseek-r1", "local"):
        assert name in result.output
    assert "present" in result.output and "skipped: no key" in result.output
    assert "very-secret" not in result.output


def test_config_check_names_the_bad_key(tmp_path: Path) -> None:
    bad = tmp_path / "switchex.yaml"
    bad.write_text("tiers:\n  - name: x\n    provider: anthropic\n    timeout: soon\n")
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(bad)])
    assert result.exit_code == 1
    assert "tiers.0.timeout" in result.output and str(bad) in result.output


def test_status_without_a_gateway_says_how_to_start_one() -> None:
    result = CliRunner().invoke(cli, ["status", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "switchex up" in result.output


def test_status_without_a_gateway_shows_the_journals_last_switches() -> None:
    from switchex.cli.options import state_dir
    from switchex.journal.db import Journal

    journal = Journal(state_dir(None) / "journal.sqlite3")
    journal.record(
        "switches", {"time": 1.0, "from_tier": "claude", "to_tier": "local", "reason": "rate_limit"}
    )
    journal.close()
    result = CliRunner().invoke(cli, ["status", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "claude -> local  (rate_limit)" in result.output
