"""The lazy command group: `--help` lists every command without importing it."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from switchex.cli.main import COMMANDS, cli


def test_help_lists_every_command_with_its_own_first_paragraph() -> None:
    context = click.Context(cli)
    for name, (_, short) in COMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and command.name in (name, "log_command")
        first = (command.help or "").strip().split("\n\n")[0]
        assert short == " ".join(first.split()), name
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name}" in result.output


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys\nfrom switchex.cli.main import main\nsys.argv=['switchex','--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('switchex.cli.', 'pydantic', 'rich')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['switchex.cli.main']"
