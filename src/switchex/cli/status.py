"""`switchex status`: the chain, each tier's state, recent switches."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import click

from switchex.cli.options import url_option


def fetch_status(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{url}/status", timeout=timeout) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data
    except (urllib.error.URLError, OSError, ValueError):
        return None


def recorded_switches(limit: int = 5) -> list[str]:
    """The journal's latest switches (the team's, in team mode), for when no gateway answers."""
    from switchex.cli.options import state_dir
    from switchex.journal.reader import journal_target, recent_switches

    rows = recent_switches(journal_target(state_dir(None)), limit)
    lines = [f"{_when(t)}  {a} -> {b}  ({reason})" for t, a, b, reason in rows]
    return ["last recorded switches:", *lines] if lines else []


def _when(epoch: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch else "-"


@click.command("status")
@url_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(url: str | None, as_json: bool) -> None:
    """Show the chain, each tier's state (ready/cooling, until when, why) and recent switches."""
    from switchex.cli.options import gateway_url

    base = gateway_url(url)
    data = fetch_status(base)
    if data is None:
        for line in recorded_switches():
            click.echo(line)
        raise click.ClickException(f"no switchex gateway answers at {base} (start it: switchex up)")
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"switchex at {base}: serving from [bold]{data['active']}[/]")
    from switchex.cli.options import state_dir
    from switchex.daemon import how_started

    console.print(how_started(state_dir(None), base) or "started: not recorded in this state dir")
    table = Table("tier", "provider", "model", "state", "until", "why")
    for tier in data["tiers"]:
        style = {"ready": "green", "cooling": "yellow"}.get(tier["state"], "dim")
        table.add_row(
            tier["name"],
            tier["provider"],
            tier["model"],
            f"[{style}]{tier['state']}[/]",
            _when(tier["until"]),
            tier["reason"] or "",
        )
    console.print(table)
    for switch in data["switches"][:10]:
        console.print(
            f"{_when(switch['time'])}  {switch['from']} -> {switch['to']}  ({switch['reason']}"
            f"{', until ' + _when(switch['until']) if switch['until'] else ''})"
        )
