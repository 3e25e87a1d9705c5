"""Round trip of Claude Code's HTTP hooks to a running gateway, next to `GET /health`.

    python bench/hook_http.py [--runs 200]

Starts `switchex up` (a fake Anthropic tier, temporary state dir) tracking a small
repository, and times one new connection + POST + answer, as Claude Code's HTTP hook does:
  - `GET /health` (the direct baseline, ratio 1.0),
  - `Stop` in tool-exact mode and `PostToolBatch` of only `Read` calls (nothing to snapshot),
  - `PostToolBatch` of one `Write` whose file did not change (an incremental snapshot that
    finds nothing), and of one `Write` that changed its file (the hook waits for the commit).
Goal: <= 5 ms p50 when nothing changed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from switchex.daemon import healthy
from switchex.fakes.anthropic import FakeAnthropic
from switchex.secret import hook_secret

SWITCHEX = str(Path(sys.executable).parent / "switchex")


def call(port: int, method: str, path: str, body: bytes, secret: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"content-type": "application/json", "authorization": f"Bearer {secret}"}
    connection.request(method, path, body if method == "POST" else None, headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 200, answer.status


def timed(fn: Callable[[int], None], runs: int) -> list[float]:
    times = []
    for run in range(runs):
        began = time.perf_counter()
        fn(run)
        times.append((time.perf_counter() - began) * 1000)
    return times


def batch(repo: Path, name: str, **tool_input: object) -> bytes:
    calls = [{"tool_name": name, "tool_use_id": "toolu_bench", "tool_input": tool_input}]
    payload = {"session_id": "bench", "cwd": str(repo), "tool_calls": calls}
    return json.dumps(payload).encode()


def make_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    for args in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "i"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    (repo / "a.txt").write_text("a\n")
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    os.environ.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    for role in ("AUTHOR", "COMMITTER"):
        os.environ.update({f"GIT_{role}_NAME": "bench", f"GIT_{role}_EMAIL": "bench@localhost"})
    with FakeAnthropic() as fake, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = make_repo(root)
        config = root / "switchex.yaml"
        tier = {"name": "claude", "provider": "anthropic", "base_url": fake.base_url}
        config.write_text(json.dumps({"tiers": [tier]}))
        state = root / "state"
        port = _free_port()
        up = [SWITCHEX, "up", "--config", str(config), "--port", str(port)]
        up += ["--state-dir", str(state), "--repo", str(repo)]
        process = subprocess.Popen(up, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _run(port, repo, hook_secret(state), args.runs)
        finally:
            process.terminate()
            process.wait(10)


def _run(port: int, repo: Path, secret: str, runs: int) -> None:
    while not healthy(f"http://127.0.0.1:{port}", 0.2):
        time.sleep(0.01)
    write = batch(repo, "Write", file_path=str(repo / "a.txt"), content="a\n")
    call(port, "POST", "/hook/PostToolBatch", write, secret)  # first: baseline + full scan
    reads = batch(repo, "Read", file_path=str(repo / "a.txt"))
    stop = json.dumps({"session_id": "bench", "cwd": str(repo)}).encode()

    def changed(run: int) -> None:
        (repo / "a.txt").write_text(f"run {run}\n")
        call(port, "POST", "/hook/PostToolBatch", write, secret)

    cases = [
        ("GET /health (direct)", lambda _: call(port, "GET", "/health", b"", secret)),
        ("Stop (tool-exact mode)", lambda _: call(port, "POST", "/hook/Stop", stop, secret)),
        (
            "PostToolBatch, Read only",
            lambda _: call(port, "POST", "/hook/PostToolBatch", reads, secret),
        ),
        (
            "PostToolBatch, Write, unchanged",
            lambda _: call(port, "POST", "/hook/PostToolBatch", write, secret),
        ),
        ("PostToolBatch, Write, changed", changed),
    ]
    print(f"{'HTTP hook round trip':<34} {'p50 ms':>8} {'p90 ms':>8} {'ratio':>7}")
    base = 0.0
    for name, fn in cases:
        times = timed(fn, runs)
        p50, p90 = statistics.median(times), sorted(times)[int(len(times) * 0.9) - 1]
        base = base or p50
        print(f"{name:<34} {p50:8.2f} {p90:8.2f} {p50 / base:7.2f}", flush=True)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    main()
