"""Options and helpers shared by the commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from switchex.config import Config

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_PORT = 8000


def state_dir(explicit: str | None) -> Path:
    """--state-dir, else SWITCHEX_STATE_DIR, else the platform's state directory."""
    named = explicit or os.environ.get("SWITCHEX_STATE_DIR")
    if named:
        return Path(named).expanduser()
    from platformdirs import user_state_dir

    return Path(user_state_dir("switchex", appauthor=False))


def gateway_url(explicit: str | None) -> str:
    """--url, else SWITCHEX_URL, else the default local address."""
    return (
        explicit or os.environ.get("SWITCHEX_URL") or f"http://127.0.0.1:{DEFAULT_PORT}"
    ).rstrip("/")


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        metavar="FILE",
        help="Configuration file (default: $SWITCHEX_CONFIG, else ./switchex.yaml, "
        "else the embedded chain).",
    )(func)


def state_dir_option(func: F) -> F:
    return click.option(
        "--state-dir",
        metavar="DIR",
        help="Where the journal lives (default: $SWITCHEX_STATE_DIR or the platform state dir).",
    )(func)


def url_option(func: F) -> F:
    return click.option(
        "--url",
        metavar="URL",
        help=f"The running gateway (default: $SWITCHEX_URL or http://127.0.0.1:{DEFAULT_PORT}).",
    )(func)


def load(config_path: str | None) -> Config:
    """The configuration, or a clear CLI error naming the file and key at fault."""
    from switchex.config import load_config
    from switchex.errors import ConfigError

    try:
        return load_config(config_path)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
