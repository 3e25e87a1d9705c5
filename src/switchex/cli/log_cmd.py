"""`switchex log`: the snapshot timeline of a repository."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click


@click.command("log")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="The repository (default: the current directory).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.option("-n", "--limit", type=int, default=50, show_default=True, help="Newest N snapshots.")
def log_command(repo: Path, as_json: bool, limit: int) -> None:
    """Show which model changed what: snapshots newest first (time, model, files, lines)."""
    from switchex.tracker.log import timeline
    from switchex.tracker.repo import resolve_worktree

    worktree = resolve_worktree(repo)
    if worktree is None:
        raise click.ClickException(f"{repo}: not a git work tree")
    entries = timeline(worktree)[:limit]
    if as_json:
        click.echo(json.dumps(entries, indent=2))
        return
    if not entries:
        click.echo(f"{worktree}: no switchex snapshots yet")
        return
    from rich.table import Table

    from switchex.cli.output import console

    table = Table("time", "commit", "model", "tier", "kind", "files", "+", "-")
    for entry in entries:
        files = entry["files"]
        shown = ", ".join(files[:3]) + (f" (+{len(files) - 3})" if len(files) > 3 else "")
        table.add_row(
            time.strftime("%m-%d %H:%M:%S", time.localtime(entry["time"])),
            entry["commit"][:10],
            entry["model"],
            entry["tier"],
            entry["label"],
            shown,
            f"[green]{entry['added']}[/]",
            f"[red]{entry['removed']}[/]",
        )
    console().print(table)
    for entry in entries:
        if entry["left_out"]:
            left = ", ".join(entry["left_out"])
            click.echo(f"{entry['commit'][:10]} left out (size cap or unreadable): {left}")
