"""`switchex up`: run the gateway."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError

from switchex.autostart import ensure_up, port_free
from switchex.cli.options import DEFAULT_PORT, config_option, load, state_dir, state_dir_option
from switchex.config import Config
from switchex.daemon import (
    LOG_FILE,
    STARTED_BY,
    PidRecord,
    live_record,
    remove_pid,
    resolve_config,
    write_pid,
)
from switchex.errors import ConfigError
from switchex.gateway.guard import is_loopback
from switchex.secret import private_dir

if TYPE_CHECKING:
    from switchex.gateway.app import App


def setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname).1s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("switchex")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


def port_taken(host: str, port: int) -> str:
    """The hint for a taken port (shared by `up` and `demo`)."""
    return (
        f"{host}:{port} is already in use (is switchex already up? `switchex status` says;"
        " or choose another --port)"
    )


@click.command("up")
@config_option
@click.option(
    "--host", help="Address to bind (default: server.host, else 127.0.0.1; see README, Security)."
)
@click.option("--port", type=int, help=f"Port to bind (default: server.port, else {DEFAULT_PORT}).")
@state_dir_option
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="Track this repository when a request names none.",
)
@click.option("--no-track", is_flag=True, help="Do not snapshot repositories.")
@click.option(
    "--state", "state_url", help="Share router state with replicas: redis://HOST:PORT/DB."
)
@click.option("--journal", "journal_url", help="Team journal: postgresql://USER@HOST/DB.")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.option(
    "--detach",
    is_flag=True,
    help="Run in the background (log in the state dir); stop it with `switchex down`.",
)
@click.option("--started-by", type=click.Choice(STARTED_BY), default="foreground", hidden=True)
def up(
    config_path: str | None,
    host: str | None,
    port: int | None,
    state_dir: str | None,
    repo: Path | None,
    no_track: bool,
    state_url: str | None,
    journal_url: str | None,
    verbose: bool,
    detach: bool,
    started_by: str,
) -> None:
    """Start the gateway (Ctrl-C stops it).

    Point Claude Code at it with ANTHROPIC_BASE_URL=http://HOST:PORT.
    """
    setup_logging(verbose)
    config = bound(team_options(load(config_path), state_url, journal_url), host, port)
    host, port = config.server.host, config.server.port
    if not config.active_tiers:
        raise click.ClickException("no tier of the chain is usable; run `switchex config check`")
    if not port_free(host, port):
        raise click.ClickException(port_taken(host, port))
    directory = ensure_state_dir(state_dir)
    served = not is_loopback(host)
    if served and not (config.server.keys or config.journal):
        raise click.ClickException(
            f"binding {host} serves the gateway beyond this machine: it needs client keys "
            "(server.keys in the configuration, or the api_keys table of `journal:`; and the "
            "names clients use in server.public_names)"
        )
    if detach:
        extra = (
            *(["--repo", str(repo.absolute())] if repo else []),
            *(["--state", state_url] if state_url else []),
            *(["--journal", journal_url] if journal_url else []),
            *_flags(no_track, verbose),
        )
        start_detached(_url(host, port), config_path, directory, tuple(extra))
        return
    from switchex.runtime import build_app

    try:
        app = build_app(config, directory, default_repo=repo, track=not no_track)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    app.keys.required = app.keys.required or served
    chain = " -> ".join(t.name for t in config.active_tiers)
    log = logging.getLogger("switchex")
    log.info("switchex on http://%s:%d  chain: %s  (%s)", host, port, chain, config.source)
    log.info("journal: %s", "PostgreSQL" if config.journal else directory / "journal.sqlite3")
    with pid_file(directory, _url(host, port), started_by, config_path):
        serve(app, host, port)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _flags(no_track: bool, verbose: bool) -> list[str]:
    return (["--no-track"] if no_track else []) + (["--verbose"] if verbose else [])


def start_detached(url: str, config: str | None, directory: Path, extra: tuple[str, ...]) -> None:
    """`up --detach`: the same gateway in the background, answering before we return."""
    resolved = resolve_config(config)
    outcome = ensure_up(url, resolved, directory, "detached", wait=15.0, extra=extra)
    if outcome.problem:
        raise click.ClickException(outcome.problem.removeprefix("switchex: "))
    click.echo(f"switchex on {url} (pid {outcome.pid}, detached); log: {directory / LOG_FILE}")
    click.echo("stop it with: switchex down")


@contextlib.contextmanager
def pid_file(directory: Path, url: str, started_by: str, config: str | None) -> Iterator[None]:
    """Record this process as the state dir's gateway while it serves.

    A live gateway already recorded for this state dir keeps its record (we warn).
    """
    log = logging.getLogger("switchex")
    other = live_record(directory)
    if other is not None and other.pid != os.getpid():
        log.warning("state dir already served by pid %d (%s); not recorded", other.pid, other.url)
        yield
        return
    resolved = resolve_config(config)
    write_pid(directory, PidRecord(os.getpid(), url, started_by, resolved, time.time()))
    try:
        yield
    finally:
        remove_pid(directory, os.getpid())


def team_options(config: Config, state: str | None, journal: str | None) -> Config:
    """`--state` / `--journal` over the file's `state:` / `journal:` (validated the same way)."""
    if state is None and journal is None:
        return config
    data = config.model_dump()
    data.update({k: v for k, v in (("state", state), ("journal", journal)) if v is not None})
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        where = ", ".join(str(e["loc"][0]) for e in error.errors())
        raise click.ClickException(f"--{where}: {error.errors()[0]['msg']}") from None


def bound(config: Config, host: str | None, port: int | None) -> Config:
    """The config with --host/--port (when given) in `server`."""
    given = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    return config.model_copy(update={"server": config.server.model_copy(update=given)})


def serve(app: App, host: str, port: int) -> None:
    """Run the app on uvicorn (uvloop, httptools, limits, joined response heads) until Ctrl-C
    or SIGTERM; either is a clean stop: streams end, the journal is flushed, exit status 0."""
    import uvicorn

    from switchex.gateway.server import protocol_for

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            super().handle_exit(sig, frame)
            if sig == signal.SIGTERM:  # asked to stop: not an error to re-raise after shutdown
                self._captured_signals.remove(sig)
            app.gateway.view.events.close()  # open dashboards must not hold the shutdown

    server = Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            loop="uvloop",
            http=protocol_for(app.gateway.config.limits, app),
            proxy_headers=False,
            lifespan="on",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    )
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it handled
        server.run()
    logging.getLogger("switchex").info("switchex stopped")


def ensure_state_dir(explicit: str | None) -> Path:
    directory = state_dir(explicit)
    try:
        private_dir(directory)
    except OSError as error:
        raise click.ClickException(
            f"{directory}: cannot create the state directory: {error}"
        ) from None
    return directory
