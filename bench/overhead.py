"""What the gateway adds, measured against a direct call to the same fake upstream, same run.

    python bench/overhead.py [--requests 2000]

Starts a fake provider and `switchex up` as separate processes on loopback, then alternates
identical requests sent directly to the fake and through the gateway, on kept-alive
connections. Prints added latency (p50/p99, whole and streamed, time to first byte), the
gateway's idle RSS, cold start to the first answered request, and 100 concurrent streams.
The request body is shaped like Claude Code's (system blocks, 12 tools, a few turns).
This is a benchmark, not a test: figures vary with the machine; the ratios matter.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import psutil

ROOT = Path(__file__).resolve().parent.parent
ANTHROPIC_HEADERS = {
    "content-type": "application/json",
    "x-api-key": "k",
    "anthropic-version": "2023-06-01",
}
OPENAI_HEADERS = {"content-type": "application/json", "authorization": "Bearer k"}
OPENAI_MODEL = "fake-model"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, path: str = "/health", timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.01)
    raise SystemExit(f"nothing answered on port {port}")


def claude_code_body(
    stream: bool, text: str = "Fix the failing test in utils.py", cwd: str = "/nonexistent/project"
) -> dict[str, Any]:
    """A request shaped like Claude Code 2.1's: 3 system blocks, 12 tools, a tool round."""
    schema = {
        "type": "object",
        "properties": {
            "command": {"type": "string", "description": "The command to run " * 8},
            "timeout": {"type": "number", "description": "Optional timeout in ms"},
            "description": {"type": "string", "description": "What this does " * 6},
        },
        "required": ["command"],
        "additionalProperties": False,
        "$schema": "http://json-schema.org/draft-07/schema#",
    }
    names = [
        "Agent",
        "Bash",
        "Edit",
        "ListAgents",
        "Read",
        "ReportFindings",
        "ScheduleWakeup",
        "Skill",
        "ToolSearch",
        "Workflow",
        "DeferredToolPlaceholder",
        "Write",
    ]
    tools = [
        {"name": n, "description": f"{n} tool. " + "Usage notes. " * 60, "input_schema": schema}
        for n in names
    ]
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 32000,
        "stream": stream,
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.332"},
            {
                "type": "text",
                "text": "You are Claude Code.",
                "cache_control": {"type": "ephemeral"},
            },
            {
                "type": "text",
                "text": "Instructions. " * 900,
                "cache_control": {"type": "ephemeral"},
            },
        ],
        "tools": tools,
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": text}]},
            {
                "role": "system",
                "content": f"Primary working directory: {cwd}\nIs a git repository: true",
            },
            {
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": "toolu_01A",
                        "name": "Read",
                        "input": {"file_path": f"{cwd}/utils.py"},
                    }
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_01A",
                        "content": "def f(): ...\n" * 40,
                    }
                ],
            },
        ],
    }


class Client:
    """One kept-alive connection; times a request to its last byte and its first body byte."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None) -> None:
        self.connection: http.client.HTTPConnection = (
            http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=tls)
            if tls
            else http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        )

    def call(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[float, float, bytes]:
        start = time.perf_counter()
        self.connection.request("POST", path, body, headers)
        response = self.connection.getresponse()
        first = response.read1(65536)
        first_byte = time.perf_counter()
        rest = response.read()
        end = time.perf_counter()
        if response.status != 200:
            raise SystemExit(f"HTTP {response.status}: {(first + rest)[:300]!r}")
        return (end - start) * 1000, (first_byte - start) * 1000, first + rest


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def compare(
    label: str,
    n: int,
    direct: Callable[[], tuple[float, float, bytes]],
    via: Callable[[], tuple[float, float, bytes]],
) -> dict[str, float]:
    for _ in range(50):
        direct()
        via()
    d_total, d_first, g_total, g_first = [], [], [], []
    for index in range(n):
        pair = (direct, via) if index % 2 else (via, direct)
        for fn in pair:
            total, first, _ = fn()
            (d_total if fn is direct else g_total).append(total)
            (d_first if fn is direct else g_first).append(first)
    row = {
        "direct_p50": statistics.median(d_total),
        "gateway_p50": statistics.median(g_total),
        "added_p50": statistics.median(g_total) - statistics.median(d_total),
        "added_p99": percentile(g_total, 0.99) - percentile(d_total, 0.99),
        "added_ttfb_p50": statistics.median(g_first) - statistics.median(d_first),
        "ratio_p50": statistics.median(g_total) / statistics.median(d_total),
    }
    print(
        f"{label:<34} direct p50 {row['direct_p50']:.3f} ms   via gateway p50 "
        f"{row['gateway_p50']:.3f} ms   added p50 {row['added_p50']:+.3f} ms  "
        f"p99 {row['added_p99']:+.3f} ms  ttfb {row['added_ttfb_p50']:+.3f} ms  "
        f"(x{row['ratio_p50']:.2f})",
        flush=True,
    )
    return row


async def concurrent_streams(port: int, count: int) -> tuple[int, int, float]:
    import aiohttp

    async def one(session: aiohttp.ClientSession, index: int) -> bool:
        body = claude_code_body(True, f"request number {index}")
        body["messages"] = body["messages"][:1]
        async with session.post(
            f"http://127.0.0.1:{port}/v1/messages", json=body, headers={"x-api-key": "k"}
        ) as response:
            text = await response.text()
        pieces = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
        said = "".join(
            p["delta"].get("text", "") for p in pieces if p["type"] == "content_block_delta"
        )
        return said == f"request number {index}"

    start = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        results = await asyncio.gather(*(one(session, i) for i in range(count)))
    return sum(results), count, time.perf_counter() - start


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def gateway_up(config: str, state: str) -> tuple[subprocess.Popen[bytes], int, float]:
    port = free_port()
    began = time.perf_counter()
    process = start(
        ["-m", "switchex", "up", "--config", config, "--port", str(port), "--state-dir", state]
    )
    body = json.dumps(claude_code_body(False)).encode()
    while True:
        try:
            Client(port).call("/v1/messages", body, ANTHROPIC_HEADERS)
            break
        except OSError:
            time.sleep(0.005)
    return process, port, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--passthrough-only", action="store_true", help="only the pass-through rows (quick)"
    )
    args = parser.parse_args()
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            fake_port = free_port()
            processes.append(
                start(
                    [
                        "-m",
                        "switchex.fakes",
                        "anthropic",
                        "--port",
                        str(fake_port),
                        "--default-text",
                        "{echo}",
                    ]
                )
            )
            wait_for(fake_port, "/v1/models")
            config = Path(tmp) / "switchex.yaml"
            config.write_text(
                f"tiers:\n  - name: claude\n    provider: anthropic\n"
                f"    base_url: http://127.0.0.1:{fake_port}\n"
            )
            gateway, port, cold = gateway_up(str(config), tmp)
            processes.append(gateway)
            time.sleep(0.5)
            rss = psutil.Process(gateway.pid).memory_info().rss / 2**20
            print(f"cold start to first answered request: {cold * 1000:.0f} ms")
            print(f"gateway RSS after start: {rss:.1f} MB")
            run_passthrough(fake_port, port, args.requests)
            if args.passthrough_only:
                return
            ok, count, seconds = asyncio.run(concurrent_streams(port, 100))
            print(f"100 concurrent streams: {ok}/{count} complete and unmixed in {seconds:.2f} s")
            rss = psutil.Process(gateway.pid).memory_info().rss / 2**20
            print(f"gateway RSS after the run: {rss:.1f} MB")
            through_proxy(Path(tmp), args.requests, processes)
            translated(Path(tmp), args.requests, processes)
            tracking(Path(tmp), str(config), fake_port, args.requests // 4, processes)
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)


def sample_bodies(stream: bool) -> list[tuple[str, dict[str, Any]]]:
    small = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 64,
        "stream": stream,
        "messages": [{"role": "user", "content": "hi"}],
    }
    return [("small", small), ("claude-code-sized", claude_code_body(stream))]


def run_passthrough(fake_port: int, port: int, n: int) -> None:
    direct, via = Client(fake_port), Client(port)
    for stream in (False, True):
        for label, body in sample_bodies(stream):
            raw = json.dumps(body).encode()
            compare(
                f"pass-through {'stream' if stream else 'whole'} {label} ({len(raw) // 1024} KB)",
                n,
                lambda raw=raw: direct.call("/v1/messages", raw, ANTHROPIC_HEADERS),
                lambda raw=raw: via.call("/v1/messages", raw, ANTHROPIC_HEADERS),
            )


def through_proxy(tmp: Path, n: int, processes: list[subprocess.Popen[bytes]]) -> None:
    """An https tier (test CA) reached directly, and through a local CONNECT proxy."""
    from switchex.fakes.certs import make_certs

    certs = make_certs(tmp / "tls")
    fake_port, proxy_port = free_port(), free_port()
    fake = ["-m", "switchex.fakes", "anthropic", "--port", str(fake_port)]
    tls_args = ["--tls", str(certs.cert), str(certs.key)]
    processes.append(start([*fake, "--default-text", "{echo}", *tls_args]))
    processes.append(start(["-m", "switchex.fakes.proxy", "--port", str(proxy_port)]))
    wait_for(proxy_port, "/")
    trust = ssl.create_default_context(cafile=str(certs.ca))
    deadline = time.monotonic() + 20
    while True:
        try:
            connection = http.client.HTTPSConnection("127.0.0.1", fake_port, context=trust)
            connection.request("GET", "/v1/models")
            connection.getresponse().read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("the https fake did not start") from None
            time.sleep(0.01)
    rows = {"https tier direct": "", "https via CONNECT proxy": f"http://127.0.0.1:{proxy_port}"}
    for label, proxy in rows.items():
        config = tmp / f"{label.replace(' ', '-')}.yaml"
        config.write_text(
            f"tiers:\n  - name: claude\n    provider: anthropic\n"
            f"    base_url: https://127.0.0.1:{fake_port}\n"
            f"    ca_bundle: {certs.ca}\n    proxy: '{proxy}'\n"
        )
        gateway, port, _ = gateway_up(str(config), str(tmp / label.replace(" ", "-")))
        processes.append(gateway)
        run_pairs(label, Client(fake_port, trust), Client(port), n)


def run_pairs(label: str, direct: Client, via: Client, n: int) -> None:
    for stream in (False, True):
        for name, body in sample_bodies(stream):
            raw = json.dumps(body).encode()
            compare(
                f"{label} {'stream' if stream else 'whole'} {name}",
                n,
                lambda raw=raw: direct.call("/v1/messages", raw, ANTHROPIC_HEADERS),
                lambda raw=raw: via.call("/v1/messages", raw, ANTHROPIC_HEADERS),
            )


def translated(tmp: Path, n: int, processes: list[subprocess.Popen[bytes]]) -> None:
    """Anthropic in, OpenAI out: a gateway whose only tier is an `openai` fake."""
    fake_port = free_port()
    processes.append(
        start(
            [
                "-m",
                "switchex.fakes",
                "openai",
                "--port",
                str(fake_port),
                "--default-text",
                "Here is the fix for the failing test.",
            ]
        )
    )
    wait_for(fake_port, "/v1/models")
    config = tmp / "openai.yaml"
    config.write_text(
        f"tiers:\n  - name: openai\n    provider: openai\n"
        f"    base_url: http://127.0.0.1:{fake_port}/v1\n"
        f"    models: {{default: {OPENAI_MODEL}}}\n"
    )
    state = tmp / "openai-state"
    gateway, port, cold = gateway_up(str(config), str(state))
    processes.append(gateway)
    print(f"translated gateway: cold start to first answered request: {cold * 1000:.0f} ms")
    run_translated(fake_port, port, n)


def run_translated(fake_port: int, port: int, n: int) -> None:
    from switchex.providers.openai import translate_request

    direct, via = Client(fake_port), Client(port)
    for stream in (False, True):
        for label, body in sample_bodies(stream):
            raw = json.dumps(body).encode()
            openai_raw = orjson.dumps(translate_request(body, OPENAI_MODEL))
            compare(
                f"anthropic->openai {'stream' if stream else 'whole'} {label} "
                f"({len(raw) // 1024} KB)",
                n,
                lambda b=openai_raw: direct.call("/v1/chat/completions", b, OPENAI_HEADERS),
                lambda b=raw: via.call("/v1/messages", b, ANTHROPIC_HEADERS),
            )


def make_repo(root: Path, files: int) -> Path:
    """A committed git repository of `files` small files."""
    repo = root / "project"
    for index in range(files):
        path = repo / f"pkg{index % 20}" / f"module_{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"VALUE = {index}\n")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@b",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@b",
    }
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "files"]):
        subprocess.run(["git", *command], cwd=repo, check=True, env=env)
    return repo


def tracking(
    tmp: Path, config: str, fake_port: int, n: int, processes: list[subprocess.Popen[bytes]]
) -> None:
    """The same requests through a tracking and a non-tracking gateway, while a "tool" edits
    the repository before every request, so every boundary has a snapshot to take."""
    repo = make_repo(tmp, 1000)
    gateways = {}
    enabled = ["--repo", str(repo)]  # tracking runs only in repositories the user enabled
    for label, extra in (("tracking on", enabled), ("tracking off", ["--no-track"])):
        port = free_port()
        processes.append(
            start(
                [
                    "-m",
                    "switchex",
                    "up",
                    "--config",
                    config,
                    "--port",
                    str(port),
                    "--state-dir",
                    str(tmp / label.replace(" ", "-")),
                    *extra,
                ]
            )
        )
        wait_for(port)
        gateways[label] = port
    raw = json.dumps(claude_code_body(True, cwd=str(repo))).encode()
    headers = {
        "content-type": "application/json",
        "x-api-key": "k",
        "x-claude-code-session-id": "bench-session",
    }
    counter = iter(range(10**9))

    def edit() -> None:
        (repo / "pkg0" / "module_0.py").write_text(f"VALUE = {next(counter)}\n")

    direct = Client(fake_port)
    for label, port in gateways.items():
        via = Client(port)

        def through(via: Client = via) -> tuple[float, float, bytes]:
            edit()
            return via.call("/v1/messages", raw, headers)

        compare(
            f"{label}, 1k-file repo edited per request",
            n,
            lambda: direct.call("/v1/messages", raw, headers),
            through,
        )
    commits = subprocess.run(
        ["git", "rev-list", "--count", "refs/switchex/snapshots/main", "^HEAD"],
        cwd=repo,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"snapshots taken meanwhile by the tracking gateway: {commits or 0}")


if __name__ == "__main__":
    main()
