"""`switchex init`: wire Claude Code to the gateway (settings env, hooks, status line)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from switchex.cli.init_record import (
    Installed,
    add_exclude,
    backup_file,
    git_paths,
    recall,
    remember,
    remove_exclude,
)
from switchex.cli.options import state_dir as options_state_dir
from switchex.cli.options import state_dir_option
from switchex.secret import SETTINGS_TOKEN_PREFIX, hook_secret, settings_token
from switchex.tracker.enabled import set_tracked

COMMAND_EVENTS = ("SessionStart",)  # Claude Code allows only command hooks here
HTTP_EVENTS = (
    "PostToolBatch",
    "UserPromptSubmit",
    "SubagentStart",
    "SubagentStop",
    "Stop",
    "StopFailure",
    "CwdChanged",
)
HOOK_EVENTS = COMMAND_EVENTS + HTTP_EVENTS
# The gateway answers these only after their snapshot (at most 25 s): no later tool races it.
WAITING_EVENTS = {"PostToolBatch": 30, "UserPromptSubmit": 30}
STATUS_REFRESH_SECONDS = 10  # keeps the serving tier and "back at" current while idle
_OURS = re.compile(r"(^|[/\\\s\"'])switchex(\.exe)?[\"']?\s+(hook|statusline)\b")


def switchex_command() -> str:
    """How Claude Code should call us: the absolute path of this switchex, when known."""
    found = shutil.which("switchex") or str(Path(sys.argv[0]).resolve())
    path = found if Path(found).name.startswith("switchex") else "switchex"
    return f'"{path}"' if " " in path else path


NO_NONSTREAMING_FALLBACK = "CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK"


def is_ours(command: object) -> bool:
    return isinstance(command, str) and bool(_OURS.search(command))


def session_start_command(command: str, base_url: str, config: str | None) -> str:
    """SessionStart starts the gateway when it is down: it gets the URL and config to use."""
    line = f"{command} hook --url {shlex.quote(base_url)}"
    return line + (f" --config {shlex.quote(config)}" if config else "")


def install(
    settings: dict[str, Any],
    base_url: str,
    command: str,
    config: str | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """The settings with our env, hooks and status line added (pure; idempotent).

    With `token` (a settings token, `secret.settings_token`) the tool events go to the gateway
    as HTTP hooks authenticated by it; without, only the SessionStart command is installed.
    """
    result: dict[str, Any] = json.loads(json.dumps(settings))
    env = result.setdefault("env", {})
    env["ANTHROPIC_BASE_URL"] = base_url
    env.setdefault(NO_NONSTREAMING_FALLBACK, "1")  # its non-streaming retry runs tools twice
    hooks = result.setdefault("hooks", {})
    for event in HOOK_EVENTS:
        groups = [g for g in hooks.get(event, []) if not _only_ours(g)]
        entry = _hook_entry(event, base_url, command, config, token)
        if entry is not None:
            groups.append({"hooks": [entry]})
        if groups:
            hooks[event] = groups
        else:
            hooks.pop(event, None)
    if not isinstance(result.get("statusLine"), dict) or is_ours(
        result["statusLine"].get("command")
    ):
        result["statusLine"] = {
            "type": "command",
            "command": f"{command} statusline",
            "refreshInterval": STATUS_REFRESH_SECONDS,
        }
    return result


def _hook_entry(
    event: str, base_url: str, command: str, config: str | None, token: str | None
) -> dict[str, Any] | None:
    if event == "SessionStart":  # may start the gateway: up to 3 s, plus a racing start
        line = session_start_command(command, base_url, config)
        return {"type": "command", "command": line, "timeout": 10}
    if token is None:
        return None
    return {
        "type": "http",
        "url": f"{base_url.rstrip('/')}/hook/{event}",
        "timeout": WAITING_EVENTS.get(event, 5),
        "headers": {"Authorization": f"Bearer {token}"},
    }


def is_our_hook(hook: object) -> bool:
    """A hook entry init wrote: our command, or an HTTP hook carrying a settings token."""
    if not isinstance(hook, dict):
        return False
    if hook.get("type") == "http":
        headers = hook.get("headers")
        value = headers.get("Authorization") if isinstance(headers, dict) else None
        return isinstance(value, str) and value.startswith("Bearer " + SETTINGS_TOKEN_PREFIX)
    return is_ours(hook.get("command"))


def _only_ours(group: object) -> bool:
    hooks = group.get("hooks") if isinstance(group, dict) else None
    return isinstance(hooks, list) and bool(hooks) and all(is_our_hook(h) for h in hooks)


def uninstall(
    settings: dict[str, Any], base_urls: set[str], previous: str | None = None
) -> dict[str, Any]:
    """The settings without what `install` added (an ANTHROPIC_BASE_URL among `base_urls` is
    removed, or set back to `previous`); everything else kept."""
    result: dict[str, Any] = json.loads(json.dumps(settings))
    env = result.get("env")
    if isinstance(env, dict) and env.get("ANTHROPIC_BASE_URL") in base_urls:
        if previous is not None:
            env["ANTHROPIC_BASE_URL"] = previous
        else:
            del env["ANTHROPIC_BASE_URL"]
        if env.get(NO_NONSTREAMING_FALLBACK) == "1":
            del env[NO_NONSTREAMING_FALLBACK]
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
    """Write with a uniquely named backup of the previous file; returns the backup's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = backup_file(path) if path.exists() else None
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
@state_dir_option
def init(
    global_: bool,
    remove: bool,
    url: str,
    repo: Path,
    config: str | None,
    service: bool,
    state_dir: str | None,
) -> None:
    """Point Claude Code at the gateway: ANTHROPIC_BASE_URL, hooks and the status line.

    Merges into existing settings, is safe to run twice, and backs up the file it changes
    (backups are never overwritten). Enables tracking of the repository and keeps its
    settings file out of git (`.git/info/exclude`). `--uninstall` removes exactly what init
    added, whatever `--url` was used, and deletes a settings file init created.
    """
    root = repo.resolve()
    path = settings_path(global_, root)
    states = options_state_dir(state_dir)
    if remove:
        _uninstall(path, root, states, url, global_)
    else:
        _install(path, root, states, url, global_, config)
    if service:
        _service(remove, url, config)


def _install(
    path: Path, root: Path, states: Path, url: str, global_: bool, config: str | None
) -> None:
    existed = path.exists()
    current = read_settings(path)
    from switchex.daemon import resolve_config

    recorded = resolve_config(config) if config else None
    earlier = recall(states, path)
    token = settings_token(hook_secret(states), str(path))
    updated = install(current, url, switchex_command(), recorded, token)
    excluded = _enable_tracking(root, states, global_)
    remember(
        states,
        path,
        Installed(
            created=(earlier.created if earlier else not existed),
            base_url=url,
            previous_base_url=_replaced_url(current, url, earlier),
            excluded=excluded or bool(earlier and earlier.excluded),
        ),
    )
    if updated == current:
        click.echo(f"{path}: already set up, nothing to change")
        return
    backup = write_settings(path, updated)
    click.echo(f"{path}: Claude Code now uses {url}")
    if backup:
        click.echo(f"backup: {backup}")


def _replaced_url(current: dict[str, Any], url: str, earlier: Installed | None) -> str | None:
    """The ANTHROPIC_BASE_URL that installing `url` replaces (one init set is not it)."""
    env = current.get("env")
    replaced = env.get("ANTHROPIC_BASE_URL") if isinstance(env, dict) else None
    if replaced == url or (earlier is not None and replaced == earlier.base_url):
        return earlier.previous_base_url if earlier is not None else None
    return replaced if isinstance(replaced, str) else None


def _enable_tracking(root: Path, states: Path, global_: bool) -> bool:
    """Enable tracking of the repository at `root` (if it is one) and, for its local
    settings, add them to `.git/info/exclude`; True if that line was added now."""
    found = git_paths(root)
    if found is None:
        return False
    worktree, exclude = found
    if set_tracked(states, worktree, True):
        click.echo(f"{worktree}: switchex now tracks this repository")
    return False if global_ else add_exclude(exclude)


def _uninstall(path: Path, root: Path, states: Path, url: str, global_: bool) -> None:
    earlier = recall(states, path)
    urls = {url} | ({earlier.base_url} if earlier else set())
    previous = earlier.previous_base_url if earlier else None
    found = git_paths(root)
    if found is not None:
        set_tracked(states, found[0], False)
        if earlier and earlier.excluded and not global_:
            remove_exclude(found[1])
    remember(states, path, None)
    if not path.exists():
        click.echo(f"{path}: already clean, nothing to change")
        return
    current = read_settings(path)
    updated = uninstall(current, urls, previous)
    if earlier is not None and earlier.created and not updated:
        path.unlink()
        click.echo(f"{path}: removed (init had created it)")
        return
    if updated == current:
        click.echo(f"{path}: already clean, nothing to change")
        return
    backup = write_settings(path, updated)
    click.echo(f"{path}: removed switchex settings")
    if backup:
        click.echo(f"backup: {backup}")


def _service(remove: bool, url: str, config: str | None) -> None:
    from switchex.cli.service import install_service, uninstall_service
    from switchex.daemon import resolve_state_dir

    if remove:
        uninstall_service()
    else:
        install_service(url, config, resolve_state_dir(None))
