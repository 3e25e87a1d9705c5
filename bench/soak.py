"""A fault soak: many requests through `switchex up` while upstreams and clients misbehave.

    python bench/soak.py [--requests 1000] [--concurrency 8]

The chain: `claude` (a fake Anthropic answering some requests 429 with `retry-after: inf`,
`1e20` or `nan`) → `gemini` (a fake Gemini answering some 429 with a 400-digit `retryDelay`)
→ `backup` (a fake Anthropic that always serves). Meanwhile, every 100 requests, 20
slow-loris clients open connections and trickle a request head that never ends, and a few
malformed requests (bad JSON, wrong types, oversized headers) go in among the good ones.

Reports: answers other than 200 / 429 / 4xx (must be 0), hangs (requests with no answer in
30 s, and slow-loris connections still open after the header timeout; must be 0), and the
gateway's RSS after warm-up and at the end (growth must stay ≤ 30 MB). This is a benchmark,
not a test: it prints what it saw.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overhead import claude_code_body, free_port, wait_for

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply
from switchex.fakes.gemini import FakeGemini

HEADERS = {"content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01"}
HEADER_TIMEOUT = 2.0
BAD_RETRY_AFTER = ("inf", "1e20", "nan", "-inf", "99999999999999999999")


def script(claude: FakeAnthropic, gemini: FakeGemini, count: int, rng: random.Random) -> None:
    for _ in range(count):
        if rng.random() < 0.3:
            claude.push(Reply(status=429, headers={"retry-after": rng.choice(BAD_RETRY_AFTER)}))
        else:
            claude.push(Reply(text="ok"))
        if rng.random() < 0.3:
            gemini.push(Reply(status=429, headers={"retry-after": "9" * 400}))
        else:
            gemini.push(Reply(text="ok"))


def request(port: int, rng: random.Random) -> int | None:
    """One request of a random kind; its status, or None when it hung."""
    kind = rng.random()
    body: Any = claude_code_body(stream=rng.random() < 0.5)
    headers = dict(HEADERS)
    if kind < 0.03:
        body = b"{not json"
    elif kind < 0.06:
        body = {**body, "system": [{"type": "text", "text": 5}], "top_k": 1e20}
    elif kind < 0.08:
        headers["x-big"] = "a" * 100_000
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/v1/messages?beta=true", data, headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except TimeoutError:
        return None
    except (ConnectionError, http.client.HTTPException):
        return -1  # the gateway cut the connection (an oversized head may be reset)
    finally:
        connection.close()


def slow_loris(port: int, count: int, still_open: list[int]) -> None:
    """`count` clients that trickle a head; counts those the gateway did not close in time."""
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=1) for _ in range(count)]
    for sock in sockets:
        sock.sendall(b"POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\n")
    deadline = time.monotonic() + HEADER_TIMEOUT + 3
    open_ones = set(range(count))
    while open_ones and time.monotonic() < deadline:
        for index in list(open_ones):
            try:
                sockets[index].sendall(b"x-a: 1\r\n")
                sockets[index].settimeout(0.05)
                if sockets[index].recv(4096) == b"":
                    open_ones.discard(index)
            except TimeoutError:
                pass
            except OSError:
                open_ones.discard(index)
        time.sleep(0.3)
    still_open.append(len(open_ones))
    for sock in sockets:
        sock.close()


def start_gateway(config: dict[str, Any], state: Path) -> tuple[subprocess.Popen[bytes], int]:
    path = state / "switchex.yaml"
    path.write_text(yaml.safe_dump(config))
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "switchex",
            "up",
            "--config",
            str(path),
            "--port",
            str(port),
            "--state-dir",
            str(state / "state"),
            "--no-track",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(state / "gateway.log", "wb"),  # noqa: SIM115
    )
    wait_for(port)
    return process, port


def rss_mb(process: subprocess.Popen[bytes]) -> float:
    return float(psutil.Process(process.pid).memory_info().rss) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(9)
    with FakeAnthropic() as claude, FakeGemini(api_key="g") as gemini, FakeAnthropic() as backup:
        script(claude, gemini, args.requests, rng)
        config = {
            "tiers": [
                {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
                {
                    "name": "gemini",
                    "provider": "gemini",
                    "base_url": gemini.base_url,
                    "api_key": "g",
                    "models": {"default": "gemini-2.5-flash"},
                },
                {"name": "backup", "provider": "anthropic", "base_url": backup.base_url},
            ],
            "cooldown": {"initial": 1, "maximum": 2},
            "limits": {"header_timeout": HEADER_TIMEOUT},
        }
        with tempfile.TemporaryDirectory() as tmp:
            process, port = start_gateway(config, Path(tmp))
            try:
                report(run(port, args, rng, process), Path(tmp) / "gateway.log")
            finally:
                process.terminate()
                process.wait(10)


def run(
    port: int, args: argparse.Namespace, rng: random.Random, process: subprocess.Popen[bytes]
) -> dict[str, Any]:
    for _ in range(20):  # warm-up
        request(port, random.Random(0))
    before = rss_mb(process)
    statuses: Counter[int | None] = Counter()
    still_open: list[int] = []
    lorises: list[threading.Thread] = []
    seeds = [rng.random() for _ in range(args.requests)]
    began = time.monotonic()
    with ThreadPoolExecutor(args.concurrency) as pool:
        futures = []
        for index, seed in enumerate(seeds):
            if index % 100 == 0:
                loris = threading.Thread(target=slow_loris, args=(port, 20, still_open))
                loris.start()
                lorises.append(loris)
            futures.append(pool.submit(request, port, random.Random(seed)))
        for future in futures:
            statuses[future.result()] += 1
    for loris in lorises:
        loris.join()
    return {
        "statuses": statuses,
        "still_open": sum(still_open),
        "loris": 20 * len(lorises),
        "seconds": time.monotonic() - began,
        "before": before,
        "after": rss_mb(process),
        "alive": process.poll() is None,
    }


def report(result: dict[str, Any], log: Path) -> None:
    statuses: Counter[int | None] = result["statuses"]
    expected = {200, 429, *range(400, 500)}
    unexpected = sum(n for s, n in statuses.items() if s is not None and s not in expected)
    hangs = statuses[None] + result["still_open"]
    total = sum(statuses.values())
    shown = dict(sorted(statuses.items(), key=str))
    print(f"{total} requests in {result['seconds']:.1f} s; statuses: {shown}")
    print(f"answers other than 200/429/4xx: {unexpected} (target 0; -1 = connection cut)")
    print(
        f"hangs: {hangs} (requests {statuses[None]}, slow-loris still open {result['still_open']}"
        f" of {result['loris']}; target 0)"
    )
    growth = result["after"] - result["before"]
    print(
        f"RSS: {result['before']:.1f} MB after warm-up, {result['after']:.1f} MB at the end"
        f" ({growth:+.1f} MB; target ≤ +30)"
    )
    print(f"gateway still running: {result['alive']}")
    errors = [line[9:130] for line in log.read_text(errors="replace").splitlines() if " E " in line]
    print(f"gateway log: {len(errors)} error line(s)")
    causes = log.read_text(errors="replace").count("OverflowError")
    for line, count in Counter(errors).most_common(3):
        print(f"  {count} x {line}" + (f" ({causes} OverflowError tracebacks)" if causes else ""))


if __name__ == "__main__":
    main()
