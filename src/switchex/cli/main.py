"""The `switchex` command.

Commands are registered by name without importing their modules (`LazyGroup`): a command's
imports (pydantic, rich, the gateway) load only when that command runs, so `switchex --help`
and every command start fast. `COMMANDS` holds each command's one-line help for `--help`; a
test keeps it equal to the command's own docstring.
"""

from __future__ import annotations

import importlib

import click

from switchex import __version__

# name -> (module:attribute, one-line help shown by `switchex --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "up": ("switchex.cli.up:up", "Start the gateway (Ctrl-C stops it)."),
    "status": (
        "switchex.cli.status:status",
        "Show the chain, each tier's state (ready/cooling, until when, why) and recent switches.",
    ),
    "config": ("switchex.cli.config_cmd:config", "Inspect the configuration."),
    "init": (
        "switchex.cli.init_cmd:init",
        "Point Claude Code at the gateway: ANTHROPIC_BASE_URL, hooks and the status line.",
    ),
    "hook": (
        "switchex.cli.hook:hook",
        "Forward a Claude Code hook event (JSON on stdin) to the gateway.",
    ),
    "statusline": (
        "switchex.cli.hook:statusline",
        "Print Claude Code's status line (its JSON on stdin): serving model, tier, context use.",
    ),
    "log": (
        "switchex.cli.log_cmd:log_command",
        "Show which model changed what: snapshots newest first (time, model, files, lines).",
    ),
    "review": (
        "switchex.cli.review:review",
        "Review what each model changed in the work tree: `analyze` (the default), `diff`, "
        "`accept` or `rollback` MODEL, `undo` (or the same as flags: --rollback MODEL ...).",
    ),
    "down": (
        "switchex.cli.down:down",
        "Stop the gateway started for this state dir (by its pid file), cleanly with SIGTERM.",
    ),
    "service": (
        "switchex.cli.service:service",
        "Run the gateway as a user service (systemd on Linux, launchd on macOS).",
    ),
    "claude": (
        "switchex.cli.claude:claude",
        "Run Claude Code through the gateway, for this process only (settings untouched).",
    ),
    "demo": (
        "switchex.cli.demo:demo",
        "Run the whole story over fake providers in a scratch repository: no keys needed.",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = COMMANDS[cmd_name][0].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx) if name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="switchex")
def cli() -> None:
    """Keep Claude Code working when Claude is rate-limited, and know which model wrote what.

    Start the gateway with `switchex up`, point Claude Code at it with `switchex init`
    (or ANTHROPIC_BASE_URL=http://127.0.0.1:8000), and review each model's work with
    `switchex review`.
    """


def main() -> None:
    cli()
