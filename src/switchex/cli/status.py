"""`switchex status`: the chain, each tier's state, recent switches.

`--json` always prints JSON: the gateway's `/status`, or `{"gateway": "down", ...}` with the
journal it read. The default journal belongs to the default gateway: with `--url` naming
another one, its switches are not mixed in.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import click

from switchex.cli.options import url_option

if TYPE_CHECKING:
    from switchex.journal.reader import Target


def fetch_status(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/status", timeout=timeout) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data
    except (urllib.error.URLError, OSError, ValueError):
        return None


def default_journal() -> Target:
    """This machine's journal: the configuration's `journal:` (the team's), else the state
    dir's SQLite file."""
    from switchex.cli.options import state_dir
    from switchex.journal.reader import journal_target

    return journal_target(state_dir(None))


def recorded_switches(target: Target, limit: int = 5) -> list[dict[str, Any]]:
    """The journal's latest switches, newest first, for when no gateway answers."""
    from switchex.journal.reader import query

    rows = query(
        target,
        "SELECT time, from_tier, to_tier, reason, until FROM switches ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    keys = ("time", "from", "to", "reason", "until")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def down_status(base: str, own_journal: bool) -> dict[str, Any]:
    from switchex.redact import redact_url

    journal = default_journal() if own_journal else None
    return {
        "gateway": "down",
        "url": base,
        "journal": redact_url(str(journal)) if journal else None,
        "switches": recorded_switches(journal) if journal else [],
    }


def _when(epoch: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch else "-"


def headline(base: str, data: dict[str, Any]) -> str:
    """Who served last (not merely who is first), whether every tier is cooling, and why the
    latest request was refused when that came after."""
    from rich.markup import escape

    last = data.get("last_served")
    if last:
        text = f"served last by [bold]{last['tier']}[/] ({last['model']}) at {_when(last['time'])}"
    else:
        text = f"no request served yet; first in chain: [bold]{data['active']}[/]"
    if data.get("all_cooling"):
        text = f"[yellow]every tier is cooling[/] until {_when(data.get('soonest'))}; " + text
    refused = data.get("last_refused")
    if refused and (not last or refused["time"] > last["time"]):
        why = escape(f"{refused['status']} {refused['type']}: {refused['message']}")
        text += f"\nlast request refused at {_when(refused['time'])}: {why}"
    return f"switchex at {base}: {text}"


def _switch_line(switch: dict[str, Any]) -> str:
    until = f", until {_when(switch['until'])}" if switch.get("until") else ""
    moved = f"{switch['from']} -> {switch['to']}"
    return f"{_when(switch['time'])}  {moved}  ({switch['reason']}{until})"


@click.command("status")
@url_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON (always JSON).")
def status(url: str | None, as_json: bool) -> None:
    """Show the chain, each tier's state (ready/cooling, until when, why) and recent switches."""
    from switchex.cli.options import gateway_url

    base = gateway_url(url)
    data = fetch_status(base)
    if data is None:
        down = down_status(base, own_journal=url is None or base == gateway_url(None))
        if as_json:
            click.echo(json.dumps(down, indent=2))
            raise SystemExit(1)
        if down["switches"]:
            click.echo(f"last recorded switches ({down['journal']}):")
            for switch in down["switches"]:
                click.echo(_switch_line(switch))
        raise click.ClickException(f"no switchex gateway answers at {base} (start it: switchex up)")
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    _print_table(base, data)


def _print_table(base: str, data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from switchex.cli.output import console as make_console

    console = make_console()
    console.print(headline(base, data))
    from switchex.cli.options import state_dir
    from switchex.daemon import how_started

    console.print(how_started(state_dir(None), base) or "started: not recorded in this state dir")
    table = Table("tier", "provider", "model", "state", "until", "why")
    for tier in data["tiers"]:
        style = {"ready": "green", "cooling": "yellow", "probing": "blue"}.get(tier["state"], "dim")
        table.add_row(
            escape(tier["name"]),
            tier["provider"],
            escape(tier["model"]),
            f"[{style}]{tier['state']}[/]",
            _when(tier["until"]),
            escape(tier["reason"] or ""),
        )
    console.print(table)
    for switch in data["switches"][:10]:
        console.print(escape(_switch_line(switch)))
