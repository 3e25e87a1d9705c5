"""`switchex hook` and `switchex statusline`: the commands Claude Code itself runs.

The `switchex` entry point (switchex.fast) serves them without importing click; these click
commands give them `--help` and run the very same code when click does parse them.
"""

from __future__ import annotations

import click

from switchex import fast

hook_url_option = click.option(
    "--url",
    metavar="URL",
    help="The running gateway (default: $SWITCHEX_URL, else the $ANTHROPIC_BASE_URL Claude "
    "Code runs with, else http://127.0.0.1:8000).",
)
state_dir_option = click.option(
    "--state-dir",
    metavar="DIR",
    help="The gateway's state dir: hook secret, pid file, start lock, log "
    "(default: $SWITCHEX_STATE_DIR or the platform state dir).",
)


def _options(**given: object) -> dict[str, str]:
    return {name: str(value) for name, value in given.items() if value is not None}


@click.command("hook")
@hook_url_option
@click.option("--timeout", default=2.0, show_default=True, help="Seconds to wait for the gateway.")
@click.option(
    "--config",
    metavar="FILE",
    help="The configuration to start the gateway with when SessionStart finds it down "
    "(default: $SWITCHEX_CONFIG, else ./switchex.yaml, else the embedded chain).",
)
@state_dir_option
def hook(url: str | None, timeout: float, config: str | None, state_dir: str | None) -> None:
    """Forward a Claude Code hook event (JSON on stdin) to the gateway.

    Wired by `switchex init` for SessionStart, UserPromptSubmit and Stop. On SessionStart,
    when nothing answers at a local URL, starts `switchex up` detached for that port (one per
    state dir) and waits up to 3 s for it. Always exits 0: it must never block Claude Code.
    """
    fast.run_hook(_options(url=url, timeout=timeout, config=config, state_dir=state_dir))


@click.command("statusline")
@hook_url_option
@state_dir_option
def statusline(url: str | None, state_dir: str | None) -> None:
    """Print Claude Code's status line (its JSON on stdin): serving model, tier, context use."""
    fast.run_statusline(_options(url=url, state_dir=state_dir))
