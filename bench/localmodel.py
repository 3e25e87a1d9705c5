"""Streaming from the real local model, direct vs through switchex, in the same run.

    scripts/local-model.sh && python bench/localmodel.py [--rounds 12] [--tokens 128]

Starts SmolLM2-135M on llama-cpp-python's server (two threads, as the tests do) and
`switchex up` with one tier (`provider: openai`, `server: llama.cpp`), then alternates, in
both orders, the same greedy (temperature 0) streamed request sent directly
(`/v1/chat/completions`) and through the gateway (`/v1/messages`). Prints per path the
median time to first token, stream duration and tokens/s; the gateway's added time (median
of the paired differences) as a share of the stream's duration (goal: at most 1 %); the
gateway's CPU time per stream, the same share without the model's own jitter; and the model
server's RSS and CPU time.
This is a benchmark, not a test: on a shared machine the model's own speed varies by more
than the gateway adds, which the paired median and the CPU figure are there to see through.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.localmodel.server import (  # noqa: E402
    ALIAS,
    LlamaServer,
    local_tier,
    model_path,
    server_command,
    server_env,
    stop,
)

PROMPT = "Count from 1 to 300, separated by commas."


@dataclass
class Timing:
    first_token: float
    duration: float
    tokens: int


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port}{path}")


def stream(port: int, path: str, body: dict[str, object], token: Callable[[dict], int]) -> Timing:
    """POST a streaming request; time the first token and the end, count text pieces
    (one a token from llama.cpp; the gateway may join pieces that arrive together)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"content-type": "application/json", "x-api-key": "k"}
    started = time.perf_counter()
    connection.request("POST", path, json.dumps(body), headers)
    response = connection.getresponse()
    assert response.status == 200, response.read()[:500]
    first, tokens = 0.0, 0
    for line in response:
        if not line.startswith(b"data: ") or line.startswith(b"data: [DONE]"):
            continue
        counted = token(json.loads(line[6:]))
        if counted and not first:
            first = time.perf_counter() - started
        tokens += counted
    duration = time.perf_counter() - started
    connection.close()
    return Timing(first, duration, tokens)


def direct_token(chunk: dict) -> int:
    choices = chunk.get("choices") or [{}]
    return 1 if (choices[0].get("delta") or {}).get("content") else 0


def gateway_token(event: dict) -> int:
    delta = event.get("delta") or {}
    return 1 if event.get("type") == "content_block_delta" and delta.get("text") else 0


def start_model(log: Path) -> LlamaServer:
    model = model_path()
    if model is None:
        raise SystemExit("the model is not installed: run scripts/local-model.sh")
    port = free_port()
    with log.open("wb") as out:
        command = server_command(model, port)
        process = subprocess.Popen(command, env=server_env(), stdout=out, stderr=out)
    wait_for(port, "/v1/models")
    return LlamaServer(f"http://127.0.0.1:{port}", process, log)


def start_gateway(work: Path, server: LlamaServer) -> tuple[subprocess.Popen[bytes], int]:
    config = work / "switchex.yaml"
    config.write_text(yaml.safe_dump({"tiers": [local_tier(server)]}))
    port = free_port()
    command = [sys.executable, "-m", "switchex", "up", "--config", str(config)]
    command += ["--port", str(port), "--state-dir", str(work / "state")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, "/health")
    return process, port


def run(rounds: int, tokens: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_model(Path(tmp) / "llama.log")
        gateway, gateway_port = start_gateway(Path(tmp), server)
        try:
            measure(server, gateway, gateway_port, rounds, tokens)
        finally:
            gateway.terminate()
            gateway.wait(10)
            stop(server)


def measure(
    server: LlamaServer, gateway: subprocess.Popen[bytes], port: int, rounds: int, tokens: int
) -> None:
    model_port = int(server.url.rsplit(":", 1)[1])
    messages = [{"role": "user", "content": PROMPT}]
    direct_body = {"model": ALIAS, "messages": messages, "max_tokens": tokens, "stream": True}
    direct_body["temperature"] = 0
    anthropic_body = {**direct_body, "model": "claude-sonnet-4-5"}
    gateway_cpu = psutil.Process(gateway.pid)
    model_cpu = psutil.Process(server.process.pid)
    stream(model_port, "/v1/chat/completions", direct_body, direct_token)  # warm-up
    stream(port, "/v1/messages", anthropic_body, gateway_token)
    direct, through, spent = [], [], []
    model_before = sum(model_cpu.cpu_times()[:2])
    for round_ in range(rounds):  # alternating which goes first: no order effect
        if round_ % 2:
            direct.append(stream(model_port, "/v1/chat/completions", direct_body, direct_token))
        before = sum(gateway_cpu.cpu_times()[:2])
        through.append(stream(port, "/v1/messages", anthropic_body, gateway_token))
        spent.append(sum(gateway_cpu.cpu_times()[:2]) - before)
        if not round_ % 2:
            direct.append(stream(model_port, "/v1/chat/completions", direct_body, direct_token))
    model_seconds = (sum(model_cpu.cpu_times()[:2]) - model_before) / (2 * rounds)
    report(direct, through, spent, model_seconds, model_cpu.memory_info().rss)


def report(
    direct: list[Timing], through: list[Timing], spent: list[float], model_cpu: float, rss: int
) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    print(f"{len(direct)} rounds, {direct[0].tokens} tokens a stream (greedy, same output)")
    print(f"{'':10} {'first token':>12} {'duration':>10} {'tokens/s':>9}")
    for name, timings in (("direct", direct), ("switchex", through)):
        first = med([t.first_token for t in timings]) * 1000
        duration = med([t.duration for t in timings]) * 1000
        rate = med(
            [d.tokens / (t.duration - t.first_token) for d, t in zip(direct, timings, strict=True)]
        )
        print(f"{name:10} {first:9.1f} ms {duration:7.0f} ms {rate:9.1f}")
    added = med([b.duration - a.duration for a, b in zip(direct, through, strict=True)])
    added_first = med([b.first_token - a.first_token for a, b in zip(direct, through, strict=True)])
    base = med([t.duration for t in direct])
    print(
        f"added (paired median): first token {added_first * 1000:+.1f} ms, "
        f"stream {added * 1000:+.1f} ms = {100 * added / base:+.2f} % of the stream"
    )
    print(
        f"gateway CPU per stream: {med(spent) * 1000:.1f} ms = "
        f"{100 * med(spent) / base:.2f} % of the stream (goal: <= 1 %)"
    )
    print(f"model server: RSS {rss / 2**20:.0f} MB, CPU {model_cpu:.2f} s per stream")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()
    run(args.rounds, args.tokens)


if __name__ == "__main__":
    main()
