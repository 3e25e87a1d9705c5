"""`switchex up`: run the gateway."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from switchex.cli.options import DEFAULT_PORT, config_option, load, state_dir, state_dir_option
from switchex.config import Config
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


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


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
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
def up(
    config_path: str | None,
    host: str | None,
    port: int | None,
    state_dir: str | None,
    repo: Path | None,
    no_track: bool,
    verbose: bool,
) -> None:
    """Start the gateway (Ctrl-C stops it).

    Point Claude Code at it with ANTHROPIC_BASE_URL=http://HOST:PORT.
    """
    from switchex.runtime import build_app

    setup_logging(verbose)
    config = bound(load(config_path), host, port)
    host, port = config.server.host, config.server.port
    if not config.active_tiers:
        raise click.ClickException("no tier of the chain is usable; run `switchex config check`")
    if not is_loopback(host) and not config.server.keys:
        raise click.ClickException(
            f"binding {host} reaches beyond this machine: list client keys in server.keys "
            "(and the names clients use in server.public_names) first"
        )
    if not port_free(host, port):
        raise click.ClickException(f"{host}:{port} is already in use (is switchex already up?)")
    directory = ensure_state_dir(state_dir)
    app = build_app(config, directory, default_repo=repo, track=not no_track)
    chain = " -> ".join(t.name for t in config.active_tiers)
    log = logging.getLogger("switchex")
    log.info("switchex on http://%s:%d  chain: %s  (%s)", host, port, chain, config.source)
    log.info("journal: %s", directory / "journal.sqlite3")
    serve(app, host, port)


def bound(config: Config, host: str | None, port: int | None) -> Config:
    """The config with --host/--port (when given) in `server`."""
    given = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    return config.model_copy(update={"server": config.server.model_copy(update=given)})


def serve(app: App, host: str, port: int) -> None:
    """Run the app on uvicorn (uvloop, httptools, limits, joined response heads) until Ctrl-C."""
    import uvicorn

    from switchex.gateway.server import protocol_for

    server = uvicorn.Server(
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
