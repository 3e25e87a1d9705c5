"""Process start to exit of `switchex hook` and `switchex statusline`; auto-start timings.

    python bench/hooks.py [--runs 40] [--starts 3]

Against a gateway started here (a fake Anthropic tier, temporary state dir), prints the p50
(and p90) wall time, its ratio to the baseline and the median CPU time of repeated process
starts of:
  - `python -c pass` (the interpreter alone: the direct baseline, ratio 1.0),
  - `python -c "import switchex.cli.main"` (what every hook cost with the click CLI),
  - `switchex hook` with a SessionStart event (gateway up), `switchex statusline`.
Goal: hook and statusline <= 60 ms p50. Then, with the gateway stopped, `--starts` times:
the SessionStart hook's auto-start until /health answers (goal <= 1.5 s) and until the
first /v1/messages answer (goal <= 3 s), measured from the hook's process start.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from switchex.daemon import healthy
from switchex.fakes.anthropic import FakeAnthropic
from switchex.minihttp import request

SWITCHEX = str(Path(sys.executable).parent / "switchex")
START = json.dumps({"hook_event_name": "SessionStart", "session_id": "bench", "cwd": "/"})
STATUS_INPUT = json.dumps({"model": {"id": "claude-x"}, "context_window": {"used_percentage": 9}})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


Times = tuple[list[float], list[float]]


def timed(command: list[str], stdin: str, runs: int) -> Times:
    """Wall and CPU (user + sys, which a busy machine inflates less) seconds per run."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
        wall.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def show(name: str, times: Times, base: Times) -> None:
    (wall, cpu), (base_wall, _) = times, base
    p50 = statistics.median(wall)
    p90 = sorted(wall)[int(len(wall) * 0.9) - 1]
    ratio = p50 / statistics.median(base_wall)
    print(f"{name:<38} {p50 * 1000:8.1f} {p90 * 1000:8.1f} {ratio:7.2f} {median_ms(cpu):8.1f}")


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def first_answer(url: str) -> None:
    body = {"model": "claude-x", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}
    headers = {"content-type": "application/json", "x-api-key": "bench"}
    status, _ = request(url, "POST", "/v1/messages", json.dumps(body).encode(), headers, 10)
    assert status == 200, status


def auto_start(url: str, config: Path, state: Path) -> tuple[float, float]:
    """Seconds from the hook's process start to /health, and to the first answer."""
    began = time.perf_counter()
    hook = subprocess.Popen(
        [SWITCHEX, "hook", "--url", url, "--config", str(config), "--state-dir", str(state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert hook.stdin is not None
    hook.stdin.write(START)
    hook.stdin.close()
    while not healthy(url, 0.2):
        time.sleep(0.005)
    health = time.perf_counter() - began
    first_answer(url)
    answered = time.perf_counter() - began
    hook.wait(10)
    return health, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    with FakeAnthropic() as fake, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "switchex.yaml"
        tier = {"name": "claude", "provider": "anthropic", "base_url": fake.base_url}
        config.write_text(json.dumps({"tiers": [tier]}))
        state = Path(tmp) / "state"
        url = f"http://127.0.0.1:{free_port()}"
        os.environ["SWITCHEX_STATE_DIR"] = str(state)
        print(
            f"{'process start to exit':<38} {'p50 ms':>8} {'p90 ms':>8} {'ratio':>7} {'cpu ms':>8}"
        )
        base = timed([sys.executable, "-c", "pass"], "", args.runs)
        show("python -c pass (direct)", base, base)
        click_cli = timed([sys.executable, "-c", "import switchex.cli.main"], "", args.runs)
        show("import switchex.cli.main (click CLI)", click_cli, base)
        health, answered = auto_start(url, config, state)  # also leaves the gateway up
        hook = timed([SWITCHEX, "hook", "--url", url], START, args.runs)
        show("switchex hook (SessionStart, up)", hook, base)
        status = timed([SWITCHEX, "statusline", "--url", url], STATUS_INPUT, args.runs)
        show("switchex statusline", status, base)
        starts = [(health, answered)]
        for _ in range(args.starts - 1):
            subprocess.run([SWITCHEX, "down"], check=True, capture_output=True)
            starts.append(auto_start(url, config, state))
        subprocess.run([SWITCHEX, "down"], check=True, capture_output=True)
    print(
        f"auto-start, hook start -> /health     p50 {statistics.median(s[0] for s in starts):.2f} s"
    )
    print(
        f"auto-start, hook start -> 1st answer  p50 {statistics.median(s[1] for s in starts):.2f} s"
    )


if __name__ == "__main__":
    main()
