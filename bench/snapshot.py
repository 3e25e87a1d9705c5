"""Snapshot time against repository size, next to a plain `git status` on the same repo.

    python bench/snapshot.py [--sizes 1000,10000,50000] [--runs 7]

Builds throwaway repositories of small committed files (mtimes set in the past, as in a real
checkout), changes a few files before every run, and prints the median (and minimum) time
of `take_snapshot` (each run writes a new snapshot commit: the full scan of a batch with
Bash), of the incremental snapshot of a Write/Edit batch (`paths`: the four files it names)
and of `git status --porcelain` in the same run, and the ratios to `git status`.
Goals: full scan <= 200 ms at 10k files and <= 1.5x git status; Write/Edit batch <= 30 ms
at 50k files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from switchex.tracker.records import Attribution
from switchex.tracker.snapshot import take_snapshot

AI = Attribution("qwen2.5-coder:7b", "local", "bench", "ai")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def build(root: Path, files: int) -> Path:
    repo = root / f"repo-{files}"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    past = time.time() - 3600
    for i in range(files):
        path = repo / f"d{i % 100:02d}" / f"s{i % 7}" / f"f{i}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"line {i}\n" * 5)
        os.utime(path, (past, past))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "initial")
    return repo


def change(repo: Path, run: int) -> list[str]:
    """Edit three files and add one; their paths, as a Write/Edit batch names them."""
    paths = [repo / f"d{k:02d}" / "s0" / f"f{k * 7}.txt" for k in range(3)]
    for path in paths:
        path.write_text(f"edited in run {run}\n")
    (repo / f"new-{run}.txt").write_text("a new file\n")
    return [str(p) for p in [*paths, repo / f"new-{run}.txt"]]


def timed(fn: Callable[[int], None], runs: int) -> list[float]:
    """Milliseconds of `fn(run)` for each run."""
    times = []
    for run in range(runs):
        start = time.perf_counter()
        fn(run)
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(repo: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Full and incremental snapshot times (each after a few edits, so each writes a
    commit) and status times."""
    snapshots: list[float] = []
    batches: list[float] = []

    def snapshot(run: int) -> None:
        change(repo, run)
        start = time.perf_counter()
        result = take_snapshot(repo, AI)
        snapshots.append((time.perf_counter() - start) * 1000)
        assert result.changed, result

    def batch(run: int) -> None:
        paths = change(repo, runs + run)
        start = time.perf_counter()
        result = take_snapshot(repo, AI, paths=paths)
        batches.append((time.perf_counter() - start) * 1000)
        assert result.changed and len(result.files) == 4, result

    def status(_: int) -> None:
        subprocess.run(["git", "status", "--porcelain"], cwd=repo, check=True, capture_output=True)

    timed(snapshot, runs)
    timed(batch, runs)
    timed(status, 2)  # warm: the first status may refresh and rewrite the index
    return snapshots, batches, timed(status, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@localhost",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@localhost",
    }
    os.environ.update(env)
    print(
        f"{'files':>7} {'scan ms (min)':>15} {'write/edit ms (min)':>20}"
        f" {'git status ms (min)':>20} {'scan/status':>12} {'w-e/status':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            repo = build(Path(tmp), size)
            snaps, batches, stats = measure(repo, args.runs)
            snap, status = statistics.median(snaps), statistics.median(stats)
            batch = statistics.median(batches)
            print(
                f"{size:>7} {snap:>7.1f} ({min(snaps):5.1f}) {batch:>12.1f} ({min(batches):5.1f})"
                f" {status:>12.1f} ({min(stats):5.1f}) {snap / status:>12.2f}"
                f" {batch / status:>11.2f}",
                flush=True,
            )
    sys.exit(0)


if __name__ == "__main__":
    main()
