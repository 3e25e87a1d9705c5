"""`switchex demo`: the whole story on this machine, with fake providers, no keys."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from switchex.cli.options import state_dir_option

if TYPE_CHECKING:
    from switchex.config import Config
    from switchex.fakes.anthropic import FakeAnthropic
    from switchex.fakes.openai import FakeOpenAI


def demo_config(claude: FakeAnthropic, local: FakeOpenAI, model: str) -> Config:
    from switchex.config import parse_config

    tiers = [
        {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
        {
            "name": "local",
            "provider": "openai",
            "base_url": f"{local.base_url}/v1",
            "models": {"default": model},
        },
    ]
    return parse_config({"tiers": tiers}, {}, "switchex demo")


def _wait_health(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.05)


def _show(title: str, args: list[str], state: Path) -> None:
    env = {**os.environ, "SWITCHEX_STATE_DIR": str(state)}
    click.echo(f"\n$ switchex {' '.join(args)}        # {title}")
    done = subprocess.run(
        [sys.executable, "-m", "switchex", *args], env=env, capture_output=True, text=True
    )
    click.echo((done.stdout + done.stderr).rstrip())


def _story(
    port: int, repo: Path, state: Path, reset: int, stay: bool, settle: Callable[[], object]
) -> None:
    """Play the story against the gateway, print the evidence, then stop unless `stay`."""
    from switchex.cli.demo_story import LOCAL_MODEL, play

    try:
        _wait_health(port)
        click.echo(f"switchex demo: a scratch repository at {repo}\n")
        play(port, repo, reset, click.echo, settle)
        settle()
        _show("which model changed what", ["log", "--repo", str(repo)], state)
        _show("the review", ["review", "--analyze", "--repo", str(repo)], state)
        click.echo(
            "\nTry the rollback (dry run first), or open the dashboard:\n"
            f"  SWITCHEX_STATE_DIR={state} switchex review --rollback {LOCAL_MODEL} "
            f"--dry-run --repo {repo}\n"
            f"  SWITCHEX_STATE_DIR={state} switchex review --rollback {LOCAL_MODEL} --repo {repo}"
        )
        if stay:
            click.echo(f"  http://127.0.0.1:{port}/   (the gateway stays up; Ctrl-C stops it)")
    finally:
        if not stay:
            os.kill(os.getpid(), signal.SIGTERM)  # a clean stop of the gateway below


@click.command("demo")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="Play the story in this new directory (default: a temporary git repository).",
)
@click.option(
    "--reset",
    default=3,
    show_default=True,
    type=click.IntRange(1),
    help="Seconds until fake Claude's limit resets.",
)
@click.option("--exit", "exit_", is_flag=True, help="Stop when the story is told.")
@state_dir_option
def demo(port: int, repo: Path | None, reset: int, exit_: bool, state_dir: str | None) -> None:
    """Run the whole story over fake providers in a scratch repository: no keys needed.

    Fake Claude writes a file, hits its usage limit, a fake local model edits another file
    with a tool call, and Claude comes back. Then the demo prints `switchex log` and
    `switchex review --analyze` for the repository and the rollback command to try, and
    keeps the gateway (and its dashboard) up until Ctrl-C (unless --exit).
    """
    from switchex.autostart import port_free
    from switchex.cli.demo_story import LOCAL_MODEL, fakes, scratch_repo
    from switchex.cli.up import ensure_state_dir, port_taken, serve, setup_logging
    from switchex.runtime import TrackingObserver, build_app

    setup_logging(False)
    if not port_free("127.0.0.1", port):
        raise click.ClickException(port_taken("127.0.0.1", port))
    if repo is not None and repo.exists() and any(repo.iterdir()):
        raise click.ClickException(f"{repo}: --repo must be a new or empty directory")
    where = repo or Path(tempfile.mkdtemp(prefix="switchex-demo-")) / "project"
    state = ensure_state_dir(state_dir or tempfile.mkdtemp(prefix="switchex-demo-state-"))
    scratch_repo(where)
    claude, local = fakes(reset)
    claude.start()
    local.start()
    app = build_app(demo_config(claude, local, LOCAL_MODEL), state, default_repo=where)
    logging.getLogger("switchex").info("demo chain: claude (fake) -> local (fake)")
    observer, journal = app.gateway.observer, app.gateway.journal

    def settle() -> None:
        """Wait for queued snapshots and journal rows (they land off the request path)."""
        if isinstance(observer, TrackingObserver) and observer.tracker is not None:
            observer.tracker.flush(10)
        if journal is not None:
            journal.flush()

    story = threading.Thread(
        target=_story, args=(port, where.resolve(), state, reset, not exit_, settle), daemon=True
    )
    story.start()
    try:
        serve(app, "127.0.0.1", port)
    finally:
        claude.stop()
        local.stop()
