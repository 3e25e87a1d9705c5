"""Assembling a running gateway: config + journal + tracker + notifier."""

from __future__ import annotations

from pathlib import Path

from switchex.config import Config
from switchex.gateway.app import App, create_gateway


def build_app(
    config: Config, state_dir: Path | None, default_repo: Path | None = None, track: bool = True
) -> App:
    gateway = create_gateway(config, state_dir)
    return App(gateway)
