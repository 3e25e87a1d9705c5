"""The `switchex` command."""

from __future__ import annotations

import click

from switchex import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="switchex")
def cli() -> None:
    """Keep Claude Code working when Claude is rate-limited, and know which model wrote what.

    Start the gateway with `switchex up`, point Claude Code at it with `switchex init`
    (or ANTHROPIC_BASE_URL=http://127.0.0.1:8000), and review each model's work with
    `switchex review`.
    """


def _register() -> None:
    from switchex.cli.config_cmd import config
    from switchex.cli.demo import demo
    from switchex.cli.hook import hook, statusline
    from switchex.cli.init_cmd import init
    from switchex.cli.log_cmd import log_command
    from switchex.cli.review import review
    from switchex.cli.status import status
    from switchex.cli.up import up

    for command in (up, status, config, init, hook, statusline, log_command, review, demo):
        cli.add_command(command)
    from switchex.cli.claude import claude
    from switchex.cli.down import down
    from switchex.cli.service import service

    for command in (down, service, claude):
        cli.add_command(command)


_register()


def main() -> None:
    cli()
