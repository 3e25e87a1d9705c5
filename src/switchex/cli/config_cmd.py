"""`switchex config`: check the configuration."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from switchex.cli.options import config_option, load
from switchex.redact import redact_url

if TYPE_CHECKING:
    from switchex.config import Config


@click.group("config")
def config() -> None:
    """Inspect the configuration."""


@config.command("check")
@config_option
def config_check(config_path: str | None) -> None:
    """Print the resolved chain and which credentials are present (never their values)."""
    from rich.table import Table

    from switchex.cli.output import console as make_console

    cfg = load(config_path)
    console = make_console()
    console.print(f"configuration: {cfg.source}")
    table = Table("#", "tier", "provider", "base url", "model", "key", "status")
    position = 0
    for tier in cfg.tiers:
        usable = tier.usable
        position += usable
        table.add_row(
            str(position) if usable else "-",
            tier.name,
            tier.provider,
            redact_url(tier.url),
            tier.models.get("default", "(as requested)"),
            tier.key_state,
            "[green]in chain[/]" if usable else f"[yellow]skipped: {_no_key(cfg, tier.name)}[/]",
        )
    console.print(table)
    problems = _dialect_problems({tier.provider for tier in cfg.active_tiers})
    for problem in problems:
        console.print(f"[red]{problem}[/]")
    if cfg.notify.urls:
        console.print(f"notifications: {len(cfg.notify.urls)} target(s)")
    if not cfg.active_tiers:
        raise click.ClickException("no tier is usable")
    if problems:
        raise click.ClickException("a provider kind in the chain cannot be loaded")


def _dialect_problems(kinds: set[str]) -> list[str]:
    """Why the registry cannot load a kind's dialect (a missing optional extra), per kind."""
    from switchex.errors import ConfigError
    from switchex.providers import registry

    problems = []
    for kind in sorted(kinds):
        try:
            registry.dialect(kind)
        except ConfigError as error:
            problems.append(str(error))
    return problems


def _no_key(cfg: Config, name: str) -> str:
    """Why a tier is skipped, naming the variable its key comes from."""
    var = cfg.key_vars.get(name)
    return f"no key (set {' or '.join('$' + v for v in var.split(' or '))})" if var else "no key"


@config.command("import-litellm")
@click.argument("litellm_config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def config_import_litellm(litellm_config: Path) -> None:
    """Print a switchex.yaml for a LiteLLM proxy config (the seed's litellm_config.yaml).

    The chain follows the config's first `fallbacks` entry, else its model_list order;
    keys stay in environment variables (os.environ/NAME becomes ${NAME}).
    """
    import yaml

    from switchex.errors import ConfigError
    from switchex.litellm_import import from_litellm

    try:
        data = from_litellm(yaml.safe_load(litellm_config.read_text(encoding="utf-8")))
    except (ConfigError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{litellm_config}: {error}") from None
    click.echo(f"# switchex configuration imported from {litellm_config.name}")
    click.echo(yaml.safe_dump(data, sort_keys=False), nl=False)
