"""Running a real gateway (uvicorn, loopback) inside a test."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from typing import Any

import uvicorn

from switchex.config import Config, parse_config
from switchex.gateway.app import App, create_gateway
from switchex.gateway.context import Gateway
from switchex.gateway.server import protocol_for
from switchex.secret import hook_secret


def make_config(tiers: list[dict[str, Any]], **extra: Any) -> Config:
    return parse_config({"tiers": tiers, **extra}, {}, "test")


class GatewayServer:
    """The gateway on 127.0.0.1:<free port>, in a thread with its own event loop."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                http=protocol_for(app.gateway.config.limits, app),
                host="127.0.0.1",
                port=0,
                loop="asyncio",
                lifespan="on",
                log_level="error",
                access_log=False,
            )
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def gateway(self) -> Gateway:
        return self.app.gateway

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    def start(self) -> GatewayServer:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            threading.Event().wait(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve(config: Config, state_dir: Path | None, **kwargs: Any) -> GatewayServer:
    secret = hook_secret(state_dir) if state_dir else None
    return GatewayServer(
        App(create_gateway(config, state_dir, **kwargs), hook_secret=secret)
    ).start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
