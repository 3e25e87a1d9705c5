"""Process start time of `switchex` commands, next to a bare `python -c pass` in the same run.

    python bench/cli_start.py [--runs 15]

Each command runs as a fresh process (as a shell or Claude Code's hooks start it), repeated;
prints p50 and the ratio to the bare interpreter. Goal: every row <= 200 ms p50.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = [
    ["--help"],
    ["up", "--help"],
    ["status", "--help"],
    ["config", "--help"],
    ["init", "--help"],
    ["hook", "--help"],
    ["statusline", "--help"],
    ["log", "--help"],
    ["review", "--help"],
    ["demo", "--help"],
]


def p50(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    bare = p50([sys.executable, "-c", "pass"], runs)
    print(f"{'python -c pass':32} p50 {bare:6.1f} ms")
    for args in COMMANDS:
        took = p50([sys.executable, "-m", "switchex", *args], runs)
        label = "switchex " + " ".join(args)
        print(f"{label:32} p50 {took:6.1f} ms  ({took / bare:.1f}x bare python)")


if __name__ == "__main__":
    main()
