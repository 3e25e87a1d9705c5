"""The cost of deciding where a request fits, and of holding a relayed stream's head.

    python bench/fit.py [--requests 2000]

Rows: the local token estimate and media scan (`gateway.fit.measure`) on a Claude-Code-shaped
conversation of about 150 KB, next to parsing the same body (`orjson.loads`, which every
request pays anyway); `StreamHead` judging a typical stream head (message_start, ping,
content_block_start), next to copying those bytes. p50 and p99 in milliseconds, same run.
This is a benchmark, not a test: figures vary with the machine; the ratios matter.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from overhead import claude_code_body

from switchex.fakes.anthropic import message_for, stream_events
from switchex.fakes.base import Reply
from switchex.gateway.fit import measure
from switchex.gateway.hold import StreamHead


def conversation(target: int = 150 * 1024) -> dict[str, Any]:
    """A Claude Code request grown with tool rounds until its JSON is about `target` bytes."""
    body = claude_code_body(stream=True)
    turn = 0
    while len(orjson.dumps(body)) < target:
        turn += 1
        use = {"type": "tool_use", "id": f"toolu_{turn}", "name": "Read", "input": {"n": turn}}
        result = {"type": "tool_result", "tool_use_id": f"toolu_{turn}", "content": "x = 1\n" * 300}
        body["messages"] += [
            {"role": "assistant", "content": [{"type": "text", "text": "Reading."}, use]},
            {"role": "user", "content": [result]},
        ]
    return body


def timed(fn: Callable[[], object], n: int) -> list[float]:
    for _ in range(min(n, 100)):
        fn()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def row(label: str, values: list[float], baseline: list[float]) -> None:
    p50, base = statistics.median(values), statistics.median(baseline)
    p99 = sorted(values)[int(0.99 * len(values))]
    print(f"{label:<46} p50 {p50:.4f} ms  p99 {p99:.4f} ms  (x{p50 / base:.2f} of the baseline)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    n = parser.parse_args().requests
    body = conversation()
    raw = orjson.dumps(body)
    parse = timed(lambda: orjson.loads(raw), n)
    row(f"baseline: orjson.loads of the body ({len(raw) // 1024} KB)", parse, parse)
    row("fit.measure (estimate + media scan)", timed(lambda: measure(body), n), parse)
    head = b"".join(stream_events(message_for(Reply(text="hello"), "claude-x"))[:3])
    copy = timed(lambda: bytes(bytearray(head)), n)
    row(f"baseline: copying a stream head ({len(head)} B)", copy, copy)
    row("StreamHead judging it", timed(lambda: StreamHead().feed(head), n), copy)
    print(f"estimate for that body: {measure(body).tokens} tokens")


if __name__ == "__main__":
    main()
