from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from switchex.fast import context_use, parse_options, status_line
from tests.helpers import free_port
from tests.recorder import Recorder

SHOW_IMPORTS = (
    "import sys, runpy; sys.argv = ['switchex', *sys.argv[1:]];"
    "import atexit; atexit.register(lambda: print(sorted(m for m in sys.modules if "
    "m.split('.')[0] in ('click', 'rich', 'uvicorn', 'aiohttp', 'pydantic', 'yaml') "
    "or m.startswith('switchex.gateway')), file=sys.stderr));"
    "from switchex.fast import main; main()"
)


def run_entry(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SHOW_IMPORTS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("command", ["hook", "statusline"])
def test_hook_and_statusline_import_neither_click_rich_nor_the_gateway(command: str) -> None:
    status = {"active": "claude", "served": {"claude": "claude-x"}, "tiers": []}
    with Recorder(status) as gateway:
        done = run_entry(command, "--url", gateway.url, stdin='{"hook_event_name": "Stop"}')
        assert done.returncode == 0, done.stderr
        assert gateway.requests  # it did talk to the gateway
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_other_commands_and_help_go_to_click() -> None:
    done = run_entry("hook", "--help", stdin="")
    assert "Forward a Claude Code hook event" in done.stdout
    assert "'click'" in done.stderr


def test_statusline_shows_serving_model_return_time_and_context_use() -> None:
    until = time.mktime((2026, 11, 26, 17, 30, 0, 0, 0, -1))
    status = {
        "active": "gemini-flash",
        "served": {"gemini-flash": "gemini-2.5-flash"},
        "tiers": [{"name": "claude", "until": until}, {"name": "gemini-flash", "until": None}],
    }
    given = {"model": {"id": "claude-opus-5-5"}, "context_window": {"used_percentage": 41.6}}
    with Recorder(status) as gateway:
        done = run_entry("statusline", "--url", gateway.url, stdin=json.dumps(given))
    assert done.stdout.strip() == (
        "⇄ gemini-2.5-flash via gemini-flash · claude back at 17:30 · ctx 42%"
    )


def test_status_line_when_down() -> None:
    assert status_line(None, "claude-opus-5-5") == "switchex: gateway down · claude-opus-5-5"
    assert status_line(None, "", "ctx 3%") == "switchex: gateway down · Claude · ctx 3%"


@pytest.mark.parametrize(
    ("window", "shown"),
    [
        ({"used_percentage": 7}, "ctx 7%"),
        (
            {
                "context_window_size": 200_000,
                "current_usage": {"input_tokens": 10_000, "cache_read_input_tokens": 40_000},
            },
            "ctx 25%",
        ),
        ({"context_window_size": 0, "current_usage": {"input_tokens": 5}}, ""),
        ("garbage", ""),
    ],
)
def test_context_use(window: object, shown: str) -> None:
    assert context_use({"context_window": window}) == shown


def test_parse_options_takes_only_the_known_ones() -> None:
    known = ("--url", "--config")
    assert parse_options(["--url", "http://x", "--config=a b"], known) == {
        "url": "http://x",
        "config": "a b",
    }
    assert parse_options(["--help"], known) is None
    assert parse_options(["--url"], known) is None


def test_hook_uses_the_state_dir_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "hook-secret").write_text("from-env")
    assert os.environ["SWITCHEX_STATE_DIR"] == str(tmp_path / "state")
    with Recorder() as gateway:
        run_entry("hook", "--url", gateway.url, stdin='{"hook_event_name": "Stop"}')
    assert gateway.requests[0][2]["Authorization"] == "Bearer from-env"


def test_session_start_says_in_one_line_why_the_gateway_did_not_start(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    url = f"http://127.0.0.1:{free_port()}"
    done = run_entry(
        "hook", "--url", url, "--config", str(missing), stdin='{"hook_event_name": "SessionStart"}'
    )
    assert done.returncode == 0
    [line] = done.stdout.splitlines()
    message = json.loads(line)["systemMessage"]
    assert "configuration file not found" in message and f"--config {missing}" in message
