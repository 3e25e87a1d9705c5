from __future__ import annotations

import json
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
    assert f"{bad}:4: tier 1 (x): timeout" in result.output


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
    result = CliRunner().invoke(cli, ["status"], env={"SWITCHEX_URL": "http://127.0.0.1:9"})
    assert result.exit_code == 1
    assert "claude -> local  (rate_limit)" in result.output
    as_json = CliRunner().invoke(
        cli, ["status", "--json"], env={"SWITCHEX_URL": "http://127.0.0.1:9"}
    )
    down = json.loads(as_json.output)
    assert down["gateway"] == "down" and down["journal"] == str(journal.path)
    assert [s["to"] for s in down["switches"]] == ["local"]
    other = CliRunner().invoke(cli, ["status", "--json", "--url", "http://127.0.0.1:9"])
    assert json.loads(other.output) == {
        "gateway": "down",
        "url": "http://127.0.0.1:9",
        "journal": None,
        "switches": [],
    }


def test_config_check_names_the_variable_of_a_missing_key(tmp_path: Path) -> None:
    path = tmp_path / "switchex.yaml"
    path.write_text(
        "tiers:\n  - {name: claude, provider: anthropic}\n  - name: router\n    provider: openai\n"
        "    base_url: https://openrouter.ai/api/v1\n    api_key: ${MY_ROUTER_KEY}\n"
        "    models: {default: deepseek/deepseek-r1}\n"
    )
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "skipped: no key (set $MY_ROUTER_KEY)" in result.output


def test_config_check_refuses_an_unset_variable_outside_api_key(tmp_path: Path) -> None:
    path = tmp_path / "switchex.yaml"
    path.write_text(
        "tiers:\n  - name: local\n    provider: openai\n    base_url: http://127.0.0.1:1/v1\n"
        '    models: {default: "${LOCAL_MODEL}"}\n'
    )
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 1
    assert f"{path}:5: tier 1 (local): models.default: ${{LOCAL_MODEL}} is not set" in result.output


def test_tables_are_not_cut_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    long_url = "http://127.0.0.1:11434/v1/" + "a-very-long-path-segment/" * 6
    path = tmp_path / "switchex.yaml"
    path.write_text(
        f"tiers:\n  - name: local-with-a-long-name\n    provider: openai\n"
        f"    base_url: {long_url}\n    models: {{default: qwen2.5-coder:32b-instruct-q8}}\n"
    )
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "local-with-a-long-name" in x)
    assert long_url.rstrip("/") in line and "qwen2.5-coder:32b-instruct-q8" in line
