from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner
from tests.recorder import Recorder

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


def test_hook_forwards_the_event_with_the_hook_secret(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "hook-secret").write_text("s3cret\n")
    event = {"hook_event_name": "Stop", "session_id": "s", "cwd": "/"}
    with Recorder() as gateway:
        result = CliRunner().invoke(
            cli,
            ["hook", "--url", gateway.url, "--state-dir", str(state)],
            input=json.dumps(event),
        )
    assert result.exit_code == 0
    [(method, path, headers, body)] = gateway.requests
    assert (method, path, json.loads(body)) == ("POST", "/hook/Stop", event)
    assert headers["Authorization"] == "Bearer s3cret"


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
