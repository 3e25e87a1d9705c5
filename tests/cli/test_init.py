from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from switchex.cli.main import cli
from switchex.cli.options import state_dir
from switchex.secret import hook_secret, valid_settings_token

URL = "http://127.0.0.1:8000"


def run_init(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["init", "--repo", str(repo), *args])
    assert result.exit_code == 0, result.output
    return result.output


def settings(repo: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((repo / ".claude" / "settings.local.json").read_text())
    return data


def test_init_writes_base_url_hooks_and_status_line(tmp_path: Path) -> None:
    run_init(tmp_path)
    data = settings(tmp_path)
    assert data["env"] == {
        "ANTHROPIC_BASE_URL": URL,
        "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK": "1",
    }
    hooks = data["hooks"]
    assert isinstance(hooks, dict)
    assert set(hooks) == {"SessionStart", "PostToolBatch", "UserPromptSubmit", "SubagentStart"} | {
        "SubagentStop",
        "Stop",
        "StopFailure",
        "CwdChanged",
    }
    command = hooks["SessionStart"][0]["hooks"][0]["command"]
    assert command.endswith(f"switchex hook --url {URL}")
    batch = hooks["PostToolBatch"][0]["hooks"][0]
    assert batch["type"] == "http" and batch["url"] == f"{URL}/hook/PostToolBatch"
    assert batch["timeout"] == 30
    assert data["statusLine"]["command"].endswith("switchex statusline")  # type: ignore[index]


def test_http_hooks_carry_a_token_derived_from_the_secret_never_the_secret(
    tmp_path: Path,
) -> None:
    run_init(tmp_path)
    secret = hook_secret(state_dir(None))
    text = (tmp_path / ".claude" / "settings.local.json").read_text()
    assert secret not in text
    hooks = settings(tmp_path)["hooks"]
    tokens = {
        groups[0]["hooks"][0]["headers"]["Authorization"].removeprefix("Bearer ")
        for event, groups in hooks.items()  # type: ignore[union-attr]
        if event != "SessionStart"
    }
    assert len(tokens) == 1
    token = tokens.pop()
    assert valid_settings_token(secret, token)
    assert not valid_settings_token("another install's secret", token)


def test_init_merges_keeps_other_settings_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.local.json"
    path.parent.mkdir()
    mine = {
        "env": {"FOO": "1"},
        "permissions": {"allow": ["Bash(ls)"]},
        "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]},
    }
    path.write_text(json.dumps(mine))
    output = run_init(tmp_path)
    data = settings(tmp_path)
    assert data["env"] == {
        "FOO": "1",
        "ANTHROPIC_BASE_URL": URL,
        "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK": "1",
    }
    assert data["permissions"] == mine["permissions"]
    stop = data["hooks"]["Stop"]  # type: ignore[index]
    assert stop[0]["hooks"][0]["command"] == "notify-send done" and len(stop) == 2
    backups = list(path.parent.glob("settings.local.json.switchex-backup-*"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == mine
    assert "backup:" in output


def test_init_twice_changes_nothing_and_uninstall_restores(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.local.json"
    path.parent.mkdir()
    mine = {"env": {"FOO": "1"}, "statusLine": {"type": "command", "command": "my-line"}}
    path.write_text(json.dumps(mine))
    run_init(tmp_path)
    once = path.read_text()
    assert "nothing to change" in run_init(tmp_path)
    assert path.read_text() == once
    assert settings(tmp_path)["statusLine"] == mine["statusLine"]  # never replaced
    run_init(tmp_path, "--uninstall")
    assert settings(tmp_path) == mine


def test_global_writes_the_home_settings(tmp_path: Path) -> None:
    run_init(tmp_path, "--global")
    home_settings = Path.home() / ".claude" / "settings.json"
    assert json.loads(home_settings.read_text())["env"]["ANTHROPIC_BASE_URL"] == URL
    assert not (tmp_path / ".claude").exists()


def test_broken_settings_file_is_named_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.local.json"
    path.parent.mkdir()
    path.write_text("{not json")
    result = CliRunner().invoke(cli, ["init", "--repo", str(tmp_path)])
    assert result.exit_code == 1
    assert "settings.local.json: not valid JSON" in result.output
    assert path.read_text() == "{not json"


def test_session_start_gets_the_url_and_config_to_start_the_gateway_with(tmp_path: Path) -> None:
    config = tmp_path / "my config.yaml"
    config.write_text("tiers: []\n")
    run_init(tmp_path, "--url", "http://127.0.0.1:8123", "--config", str(config))
    hooks = settings(tmp_path)["hooks"]
    assert isinstance(hooks, dict)
    [start] = hooks["SessionStart"][0]["hooks"]
    assert start["command"].endswith(
        f"switchex hook --url http://127.0.0.1:8123 --config '{config}'"
    )
    assert start["timeout"] >= 5  # room for the 3 s start
    run_init(tmp_path, "--url", "http://127.0.0.1:8123", "--uninstall")
    assert not (tmp_path / ".claude" / "settings.local.json").exists()  # init had created it


def test_status_line_refreshes_while_idle(tmp_path: Path) -> None:
    run_init(tmp_path)
    status = settings(tmp_path)["statusLine"]
    assert isinstance(status, dict) and status["refreshInterval"] >= 1


def _git_repo(path: Path) -> Path:
    import subprocess

    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def test_init_then_uninstall_keeps_every_backup(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.local.json"
    path.parent.mkdir()
    mine = {"env": {"FOO": "1"}}
    path.write_text(json.dumps(mine))
    run_init(tmp_path)
    run_init(tmp_path, "--uninstall")  # within the same second
    backups = sorted(path.parent.glob("settings.local.json.switchex-backup-*"))
    assert len(backups) == 2
    assert mine in [json.loads(b.read_text()) for b in backups]
    assert settings(tmp_path) == mine


def test_uninstall_removes_what_any_url_added_and_restores_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.local.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"env": {"ANTHROPIC_BASE_URL": "https://mine.example"}}))
    run_init(tmp_path, "--url", "http://127.0.0.1:9999")
    run_init(tmp_path, "--url", "http://127.0.0.1:9998")
    run_init(tmp_path, "--uninstall")
    assert settings(tmp_path) == {"env": {"ANTHROPIC_BASE_URL": "https://mine.example"}}


def test_uninstall_deletes_a_file_init_created(tmp_path: Path) -> None:
    run_init(tmp_path, "--url", "http://127.0.0.1:9999")
    run_init(tmp_path, "--uninstall")
    assert not (tmp_path / ".claude" / "settings.local.json").exists()


def test_init_enables_tracking_and_excludes_its_file(tmp_path: Path) -> None:
    from switchex.tracker.enabled import read_tracked

    repo = _git_repo(tmp_path / "repo")
    state = tmp_path / "state"
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("# mine\n*.bak")
    run_init(repo)
    run_init(repo)
    exclude = (repo / ".git" / "info" / "exclude").read_text()
    assert exclude.splitlines() == ["# mine", "*.bak", ".claude/settings.local.json"]
    assert read_tracked(state) == [str(repo.resolve())]

    run_init(repo, "--uninstall")
    assert (repo / ".git" / "info" / "exclude").read_text() == "# mine\n*.bak\n"
    assert read_tracked(state) == []
