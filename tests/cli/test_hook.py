from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner

from switchex.cli.hook import status_line
from switchex.cli.main import cli


def test_hook_exits_zero_at_once_when_the_gateway_is_down() -> None:
    began = time.perf_counter()
    result = CliRunner().invoke(
        cli,
        ["hook", "--url", "http://127.0.0.1:9"],
        input=json.dumps({"hook_event_name": "Stop", "session_id": "s", "cwd": "/"}),
    )
    assert result.exit_code == 0 and result.output == ""
    assert time.perf_counter() - began < 2


def test_hook_survives_garbage_on_stdin() -> None:
    result = CliRunner().invoke(cli, ["hook", "--url", "http://127.0.0.1:9"], input="[1, 2")
    assert result.exit_code == 0


def test_status_line_names_the_serving_model_and_when_claude_returns() -> None:
    until = time.mktime((2026, 11, 26, 17, 30, 0, 0, 0, -1))
    status = {
        "active": "gemini-flash",
        "served": {"gemini-flash": "gemini-2.5-flash"},
        "tiers": [{"name": "claude", "until": until}, {"name": "gemini-flash", "until": None}],
    }
    assert status_line(status, "claude-opus-5-5") == (
        "⇄ gemini-2.5-flash via gemini-flash · claude back at 17:30"
    )


def test_status_line_when_down() -> None:
    assert status_line(None, "claude-opus-5-5") == "switchex: gateway down · claude-opus-5-5"


def test_statusline_command_reads_claude_codes_json() -> None:
    result = CliRunner().invoke(
        cli,
        ["statusline", "--url", "http://127.0.0.1:9"],
        input=json.dumps({"model": {"id": "claude-opus-5-5"}}),
    )
    assert result.output.strip() == "switchex: gateway down · claude-opus-5-5"


def test_hook_sends_the_install_secret_from_the_state_dir(tmp_path: Path) -> None:
    from tests.gateway.test_app import Hooks
    from tests.helpers import make_config, serve

    hooks = Hooks()
    config = make_config(
        [
            {
                "name": "t",
                "provider": "openai",
                "base_url": "http://127.0.0.1:9/v1",
                "models": {"default": "m"},
            }
        ]
    )
    server = serve(config, tmp_path / "state", observer=hooks)  # the SWITCHEX_STATE_DIR of tests
    try:
        payload = {"hook_event_name": "Stop", "session_id": "s", "cwd": str(tmp_path)}
        result = CliRunner().invoke(cli, ["hook", "--url", server.url], input=json.dumps(payload))
        assert result.exit_code == 0
        assert hooks.calls == [("Stop", payload)]
        elsewhere = tmp_path / "other-state"
        CliRunner().invoke(
            cli,
            ["hook", "--url", server.url, "--state-dir", str(elsewhere)],
            input=json.dumps(payload),
        )
        assert len(hooks.calls) == 1  # no secret there: refused, nothing changed
    finally:
        server.stop()
