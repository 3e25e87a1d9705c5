"""The `switchex` entry point: `hook`, `statusline` and `claude` without click, rich or the gateway.

Claude Code starts `switchex hook` on every session start, prompt and stop, and
`switchex statusline` on every refresh; their cost is the interpreter's start plus the
standard-library modules imported here. Anything not recognised here (other commands,
`--help`, unknown options) goes to the click CLI, imported only then.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from switchex import paths
from switchex.minihttp import request

DEFAULT_URL = "http://127.0.0.1:8000"
SECRET_FILE = "hook-secret"
OPTIONS = {
    "hook": ("--url", "--timeout", "--config", "--state-dir"),
    "statusline": ("--url", "--state-dir"),
}


def hook_url(explicit: str | None) -> str:
    """--url, else SWITCHEX_URL, else the ANTHROPIC_BASE_URL Claude Code runs with."""
    base = explicit or os.environ.get("SWITCHEX_URL") or os.environ.get("ANTHROPIC_BASE_URL")
    return (base or DEFAULT_URL).rstrip("/")


def parse_options(args: list[str], known: tuple[str, ...]) -> dict[str, str] | None:
    """`--name value` / `--name=value` pairs among `known`; None for anything else."""
    found: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name not in known:
            return None
        if not equals:
            value = next(rest, "")
            if not value:
                return None
        found[name[2:].replace("-", "_")] = value
    return found


def read_stdin_json() -> dict[str, object]:
    try:
        data = json.loads(sys.stdin.read() or "{}")
    except (ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def hook_headers(state_dir: str) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    try:
        with open(os.path.join(state_dir, SECRET_FILE), encoding="utf-8") as file:
            secret = file.read().strip()
    except OSError:
        return headers
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return headers


def run_hook(options: dict[str, str]) -> int:
    """Forward a hook event (JSON on stdin) to the gateway; on SessionStart, start it first.

    Always exits 0: a hook must never block Claude Code. When the gateway cannot be started,
    one line for the user goes out as the hook's `systemMessage`.
    """
    payload = read_stdin_json()
    event = str(payload.get("hook_event_name") or "unknown")
    url = hook_url(options.get("url"))
    state_dir = paths.state_dir(options.get("state_dir"))
    timeout = _seconds(options.get("timeout"), 2.0)
    body = json.dumps(payload).encode()
    if _post(url, event, body, state_dir, timeout) or event != "SessionStart":
        return 0
    from pathlib import Path

    from switchex import autostart, daemon  # only now: starting is the slow path anyway

    config = daemon.resolve_config(options.get("config"))
    outcome = autostart.ensure_up(url, config, Path(state_dir), "auto-started")
    if outcome.problem:
        print(json.dumps({"systemMessage": outcome.problem}))
        return 0
    _post(url, event, body, state_dir, timeout)
    return 0


def _seconds(text: str | None, default: float) -> float:
    try:
        return float(text) if text else default
    except ValueError:
        return default


def _post(url: str, event: str, body: bytes, state_dir: str, timeout: float) -> bool:
    """Whether the gateway was reached (whatever it answered)."""
    try:
        request(url, "POST", f"/hook/{event}", body, hook_headers(state_dir), timeout)
    except (OSError, ValueError):
        return False
    return True


def context_use(given: dict[str, object]) -> str:
    """`ctx 42%` from the status-line input's context_window, or '' when it has none."""
    window = given.get("context_window")
    if not isinstance(window, dict):
        return ""
    used = window.get("used_percentage")
    if not isinstance(used, int | float):
        size, usage = window.get("context_window_size"), window.get("current_usage")
        if not isinstance(size, int) or size <= 0 or not isinstance(usage, dict):
            return ""
        fields = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        used = 100 * sum(int(usage.get(f) or 0) for f in fields) / size
    return f"ctx {round(used)}%"


def status_line(status: dict[str, object] | None, asked: str, context: str = "") -> str:
    """The one line Claude Code shows: serving model and tier, when Claude returns, context."""
    if status is None:
        line = f"switchex: gateway down · {asked or 'Claude'}"
        return f"{line} · {context}" if context else line
    active = str(status.get("active") or "-")
    served = status.get("served") or {}
    model = served.get(active, "") if isinstance(served, dict) else ""
    line = f"⇄ {model or asked or active} via {active}"
    tiers = status.get("tiers") or []
    first = tiers[0] if isinstance(tiers, list) and tiers else {}
    if isinstance(first, dict) and first.get("name") != active and first.get("until"):
        back = time.strftime("%H:%M", time.localtime(float(first["until"])))
        line += f" · {first['name']} back at {back}"
    return f"{line} · {context}" if context else line


def fetch_status(url: str, timeout: float = 0.5) -> dict[str, object] | None:
    try:
        status, body = request(url, "GET", "/status", timeout=timeout)
        data = json.loads(body) if status == 200 else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_statusline(options: dict[str, str]) -> int:
    given = read_stdin_json()
    model = given.get("model")
    asked = str(model.get("id") or "") if isinstance(model, dict) else ""
    status = fetch_status(hook_url(options.get("url")))
    print(status_line(status, asked, context_use(given)))
    return 0


COMMANDS: dict[str, Callable[[dict[str, str]], int]] = {
    "hook": run_hook,
    "statusline": run_statusline,
}


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in COMMANDS:
        options = parse_options(args[1:], OPTIONS[args[0]])
        if options is not None:
            sys.exit(COMMANDS[args[0]](options))
    if args and args[0] == "claude":
        from switchex.launch import run_claude

        sys.exit(run_claude(args[1:]))
    from switchex.cli.main import main as click_main

    click_main()
