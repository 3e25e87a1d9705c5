"""`switchex up`: run the gateway."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from switchex.gateway.app import App

from switchex.cli.options import DEFAULT_PORT, config_option, load, state_dir, state_dir_option


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


def port_taken(host: str, port: int) -> str:
    """The hint for a taken port (shared by `up` and `demo`)."""
    return (
        f"{host}:{port} is already in use (is switchex already up? `switchex status` says;"
        " or choose another --port)"
    )


@click.command("up")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to bind.")
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
    host: str,
    port: int,
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
    config = load(config_path)
    if not config.active_tiers:
        raise click.ClickException("no tier of the chain is usable; run `switchex config check`")
    if not port_free(host, port):
        raise click.ClickException(port_taken(host, port))
    directory = ensure_state_dir(state_dir)
    app = build_app(config, directory, default_repo=repo, track=not no_track)
    chain = " -> ".join(t.name for t in config.active_tiers)
    log = logging.getLogger("switchex")
    log.info("switchex on http://%s:%d  chain: %s  (%s)", host, port, chain, config.source)
    log.info("journal: %s", directory / "journal.sqlite3")
    serve(app, host, port)


def serve(app: App, host: str, port: int) -> None:
    """Run the app on uvicorn (uvloop, httptools, joined response heads) until Ctrl-C or
    SIGTERM; either is a clean stop: streams end, the journal is flushed, exit status 0."""
    import uvicorn

    from switchex.gateway.server import CoalescingHttpToolsProtocol

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
            http=CoalescingHttpToolsProtocol,
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
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.ClickException(
            f"{directory}: cannot create the state directory: {error}"
        ) from None
    return directory
