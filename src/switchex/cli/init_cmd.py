"""`switchex init`: wire Claude Code to the gateway (settings env, hooks, status line)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

HOOK_EVENTS = ("SessionStart", "UserPromptSubmit", "Stop")
STATUS_REFRESH_SECONDS = 10  # keeps the serving tier and "back at" current while idle
_OURS = re.compile(r"(^|[/\\\s\"'])switchex(\.exe)?[\"']?\s+(hook|statusline)\b")


def switchex_command() -> str:
    """How Claude Code should call us: the absolute path of this switchex, when known."""
    found = shutil.which("switchex") or str(Path(sys.argv[0]).resolve())
    path = found if Path(found).name.startswith("switchex") else "switchex"
    return f'"{path}"' if " " in path else path


def is_ours(command: object) -> bool:
    return isinstance(command, str) and bool(_OURS.search(command))


def session_start_command(command: str, base_url: str, config: str | None) -> str:
    """SessionStart starts the gateway when it is down: it gets the URL and config to use."""
    line = f"{command} hook --url {shlex.quote(base_url)}"
    return line + (f" --config {shlex.quote(config)}" if config else "")


def install(
    settings: dict[str, Any], base_url: str, command: str, config: str | None = None
) -> dict[str, Any]:
    """The settings with our env, hooks and status line added (pure; idempotent)."""
    result: dict[str, Any] = json.loads(json.dumps(settings))
    result.setdefault("env", {})["ANTHROPIC_BASE_URL"] = base_url
    hooks = result.setdefault("hooks", {})
    for event in HOOK_EVENTS:
        groups = [g for g in hooks.get(event, []) if not _only_ours(g)]
        line, timeout = f"{command} hook", 5
        if event == "SessionStart":  # may start the gateway: up to 3 s, plus a racing start
            line, timeout = session_start_command(command, base_url, config), 10
        groups.append({"hooks": [{"type": "command", "command": line, "timeout": timeout}]})
        hooks[event] = groups
    if not isinstance(result.get("statusLine"), dict) or is_ours(
        result["statusLine"].get("command")
    ):
        result["statusLine"] = {
            "type": "command",
            "command": f"{command} statusline",
            "refreshInterval": STATUS_REFRESH_SECONDS,
        }
    return result


def _only_ours(group: object) -> bool:
    hooks = group.get("hooks") if isinstance(group, dict) else None
    return (
        isinstance(hooks, list)
        and bool(hooks)
        and all(isinstance(h, dict) and is_ours(h.get("command")) for h in hooks)
    )


def uninstall(settings: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The settings without what `install` added; everything else kept."""
    result: dict[str, Any] = json.loads(json.dumps(settings))
    env = result.get("env")
    if isinstance(env, dict) and env.get("ANTHROPIC_BASE_URL") == base_url:
        del env["ANTHROPIC_BASE_URL"]
        if not env:
            del result["env"]
    hooks = result.get("hooks")
    if isinstance(hooks, dict):
        for event in list(hooks):
            kept = [g for g in hooks[event] if not _only_ours(g)]
            if kept:
                hooks[event] = kept
            else:
                del hooks[event]
        if not hooks:
            del result["hooks"]
    status = result.get("statusLine")
    if isinstance(status, dict) and is_ours(status.get("command")):
        del result["statusLine"]
    return result


def settings_path(global_: bool, repo: Path) -> Path:
    if global_:
        return Path.home() / ".claude" / "settings.json"
    return repo / ".claude" / "settings.local.json"


def read_settings(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (ValueError, OSError) as error:
        raise click.ClickException(f"{path}: not valid JSON, left untouched ({error})") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a JSON object, left untouched")
    return data


def write_settings(path: Path, data: dict[str, Any]) -> Path | None:
    """Write with a timestamped backup of the previous file; returns the backup's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if path.exists():
        backup = path.with_name(f"{path.name}.switchex-backup-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.copy2(path, backup)
    temporary = path.with_name(path.name + ".switchex-tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return backup


@click.command("init")
@click.option(
    "--global",
    "global_",
    is_flag=True,
    help="Write ~/.claude/settings.json instead of the repo's .claude/settings.local.json.",
)
@click.option("--uninstall", "remove", is_flag=True, help="Remove exactly what init added.")
@click.option(
    "--url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="The gateway's address, as ANTHROPIC_BASE_URL.",
)
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="The repository whose settings to write (default: current directory).",
)
@click.option(
    "--config",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    help="The configuration the SessionStart hook (and --service) starts the gateway with.",
)
@click.option("--service", is_flag=True, help="Also install (or uninstall) the user service.")
def init(
    global_: bool, remove: bool, url: str, repo: Path, config: str | None, service: bool
) -> None:
    """Point Claude Code at the gateway: ANTHROPIC_BASE_URL, hooks and the status line.

    Merges into existing settings, is safe to run twice, and backs up the file it changes.
    """
    path = settings_path(global_, repo.resolve())
    current = read_settings(path)
    from switchex.daemon import resolve_config

    recorded = resolve_config(config) if config else None
    updated = (
        uninstall(current, url) if remove else install(current, url, switchex_command(), recorded)
    )
    if service:
        _service(remove, url, config)
    if updated == current:
        click.echo(f"{path}: already {'clean' if remove else 'set up'}, nothing to change")
        return
    backup = write_settings(path, updated)
    done = "removed switchex settings" if remove else f"Claude Code now uses {url}"
    click.echo(f"{path}: {done}")
    if backup:
        click.echo(f"backup: {backup}")


def _service(remove: bool, url: str, config: str | None) -> None:
    from switchex.cli.service import install_service, uninstall_service
    from switchex.daemon import resolve_state_dir

    if remove:
        uninstall_service()
    else:
        install_service(url, config, resolve_state_dir(None))
