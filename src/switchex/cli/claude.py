"""`switchex claude [ARGS…]` (served by switchex.launch; this gives it a place in --help)."""

from __future__ import annotations

import sys

import click


@click.command(
    "claude",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def claude(args: tuple[str, ...]) -> None:
    """Run Claude Code through the gateway, for this process only (settings untouched).

    Starts the gateway at $SWITCHEX_URL (default http://127.0.0.1:8000) if it is down,
    then runs `claude` ($SWITCHEX_CLAUDE or PATH) with every ARG and its exit status.
    """
    from switchex.launch import run_claude

    sys.exit(run_claude(list(args)))
