"""What parsing text tool calls adds to a 30 KB streamed answer.

    python bench/texttools.py [--runs 200] [--chunk 16] [--code-every 2000]

A 30 KB answer (prose, a fenced code block every `--code-every` characters, JSON that names
no tool, and one `<tool_call>` Write at the end) is cut into `--chunk`-character deltas, as
a local model streams it. Printed, as
p50/p90 ms per answer and as a ratio to the baseline of the same run:
  - parser: TextToolParser fed the deltas, against a plain pass (the deltas joined in a loop);
  - translator: the openai stream translator over the same answer as SSE with text tool
    calls on, against the same translator with them off (what a tier pays for the setting).
Goal (issue 11): the parsing adds <= 0.2 ms p50 per 30 KB answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from switchex.providers.base import ReplyPlan
from switchex.providers.openai.stream import OpenAIStreamTranslator
from switchex.providers.texttools import TextToolParser

SCHEMA = {
    "type": "object",
    "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}},
    "required": ["file_path", "content"],
}
TOOLS = {"Write": SCHEMA, "Read": SCHEMA, "Bash": SCHEMA}
PROSE = (
    "The function reads the configuration, validates every tier and returns the chain; "
    "each tier names its provider, its base URL and the models it serves, and the router "
    "tries them in order until one answers. "
)
MENTION = 'A tier looks like {"name": "local", "provider": "openai"} in the file. '
CODE = (
    "\n\n```python\ndef load(path: str) -> dict[str, str]:\n"
    "    return {key: value for key, value in read(path)}\n```\n\n"
)


def answer(size: int = 30_000, code_every: int = 2000) -> str:
    parts: list[str] = []
    length = since_code = 0
    while length < size - 400:
        part = PROSE if since_code < code_every else CODE + MENTION
        since_code = 0 if part != PROSE else since_code + len(part)
        parts.append(part)
        length += len(part)
    call = {"name": "Write", "arguments": {"file_path": "/tmp/x.py", "content": "print(1)\n"}}
    return f"{''.join(parts)}\n<tool_call>\n{json.dumps(call)}\n</tool_call>\n"


def deltas(text: str, size: int) -> list[str]:
    return [text[at : at + size] for at in range(0, len(text), size)]


def sse(parts: list[str]) -> list[bytes]:
    chunks = []
    for part in parts:
        choice = {"index": 0, "delta": {"content": part}, "finish_reason": None}
        chunks.append(b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n\n")
    end = {"index": 0, "delta": {}, "finish_reason": "stop"}
    return [*chunks, b"data: " + json.dumps({"choices": [end]}).encode() + b"\n\n"]


def plain_pass(parts: list[str]) -> None:
    out = []
    for part in parts:
        out.append(part)
    "".join(out)


def parse(parts: list[str]) -> None:
    parser = TextToolParser(TOOLS)
    for part in parts:
        parser.feed(part)
    parser.finish()


def translate(chunks: list[bytes], plan: ReplyPlan) -> None:
    translator = OpenAIStreamTranslator("qwen", plan)
    for chunk in chunks:
        translator.feed(chunk)
    translator.finish()


def timed(runs: int, *jobs: Callable[[], None]) -> list[list[float]]:
    """Milliseconds per run of each job, the jobs interleaved (a busy machine hits all alike)."""
    times: list[list[float]] = [[] for _ in jobs]
    for _ in range(runs):
        for job, into in zip(jobs, times, strict=True):
            began = time.perf_counter()
            job()
            into.append((time.perf_counter() - began) * 1000)
    return [sorted(series) for series in times]


def row(label: str, times: list[float], base: list[float]) -> str:
    p50, p90 = statistics.median(times), times[int(len(times) * 0.9)]
    ratio = p50 / statistics.median(base)
    return f"{label:<34} p50 {p50:7.3f} ms  p90 {p90:7.3f} ms  x{ratio:5.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=16, help="characters per streamed delta")
    parser.add_argument("--code-every", type=int, default=2000, help="characters of prose")
    args = parser.parse_args()
    text = answer(code_every=args.code_every)
    parts = deltas(text, args.chunk)
    chunks = sse(parts)
    on = ReplyPlan(text_tools=True, tools=TOOLS)
    print(f"answer: {len(text)} characters in {len(parts)} deltas of {args.chunk}")
    base, parsed = timed(args.runs, lambda: plain_pass(parts), lambda: parse(parts))
    print(row("plain pass (baseline)", base, base))
    print(row("text tool-call parser", parsed, base))
    off, with_tools = timed(
        args.runs, lambda: translate(chunks, ReplyPlan()), lambda: translate(chunks, on)
    )
    print(row("translator, tool_call_text off", off, off))
    print(row("translator, tool_call_text auto", with_tools, off))
    added = statistics.median(with_tools) - statistics.median(off)
    print(f"added by parsing: {added:.3f} ms p50 per answer (goal <= 0.2 ms)")


if __name__ == "__main__":
    main()
