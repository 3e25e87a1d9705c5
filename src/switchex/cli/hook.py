"""`switchex hook` and `switchex statusline`: the commands Claude Code itself runs."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

import click

from switchex.cli.options import state_dir as state_dir_path
from switchex.cli.options import state_dir_option
from switchex.secret import HOOK_SECRET_HEADER, read_hook_secret


def hook_url(explicit: str | None) -> str:
    """--url, else SWITCHEX_URL, else the ANTHROPIC_BASE_URL Claude Code runs with."""
    base = explicit or os.environ.get("SWITCHEX_URL") or os.environ.get("ANTHROPIC_BASE_URL")
    return (base or "http://127.0.0.1:8000").rstrip("/")


hook_url_option = click.option(
    "--url",
    metavar="URL",
    help="The running gateway (default: $SWITCHEX_URL, else the $ANTHROPIC_BASE_URL Claude "
    "Code runs with, else http://127.0.0.1:8000).",
)


@click.command("hook")
@hook_url_option
@state_dir_option
@click.option("--timeout", default=2.0, show_default=True, help="Seconds to wait for the gateway.")
def hook(url: str | None, state_dir: str | None, timeout: float) -> None:
    """Forward a Claude Code hook event (JSON on stdin) to the gateway.

    Wired by `switchex init` for SessionStart, UserPromptSubmit and Stop. Sends the hook
    secret the gateway keeps in its state directory. Always exits 0 quickly, even when the
    gateway is down: it must never block Claude Code.
    """
    try:
        payload = json.loads(sys.stdin.read() or "{}")
        event = str(payload.get("hook_event_name") or "unknown")
        headers = {"content-type": "application/json"}
        secret = read_hook_secret(state_dir_path(state_dir))
        if secret:
            headers[HOOK_SECRET_HEADER] = secret
        request = urllib.request.Request(
            f"{hook_url(url)}/hook/{event}", json.dumps(payload).encode(), headers
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError, AttributeError):
        pass


def status_line(status: dict[str, object] | None, asked: str) -> str:
    """The one line Claude Code shows: serving model and tier, when Claude returns."""
    if status is None:
        return f"switchex: gateway down · {asked or 'Claude'}"
    active = str(status.get("active") or "-")
    served = status.get("served") or {}
    model = served.get(active, "") if isinstance(served, dict) else ""
    line = f"⇄ {model or asked or active} via {active}"
    tiers = status.get("tiers") or []
    first = tiers[0] if isinstance(tiers, list) and tiers else {}
    if isinstance(first, dict) and first.get("name") != active and first.get("until"):
        back = time.strftime("%H:%M", time.localtime(float(first["until"])))
        line += f" · {first['name']} back at {back}"
    return line


@click.command("statusline")
@hook_url_option
def statusline(url: str | None) -> None:
    """Print Claude Code's status line (its JSON on stdin): which model really serves."""
    from switchex.cli.status import fetch_status

    try:
        given = json.loads(sys.stdin.read() or "{}")
        asked = str((given.get("model") or {}).get("id") or "")
    except (ValueError, AttributeError):
        asked = ""
    click.echo(status_line(fetch_status(hook_url(url), timeout=0.5), asked))
