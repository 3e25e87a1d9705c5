"""The text tool-call parser: every shape, any split of the stream, nothing lost, prose kept."""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchex.providers.texttools import Piece, TextToolParser, parse_text

TOOLS = {
    "Write": {
        "type": "object",
        "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}},
        "required": ["file_path", "content"],
    },
    "Bash": {
        "type": "object",
        "properties": {"command": {"type": "string"}, "timeout": {"type": "number"}},
        "required": ["command"],
    },
}
WRITE = {"file_path": "/tmp/a.py", "content": 'print("}")\n```\n</tool_call>'}
BASH = {"command": "ls -la"}


def calls(pieces: list[Piece]) -> list[tuple[str, object]]:
    return [(p.name, p.input) for p in pieces if p.kind == "tool"]


def text(pieces: list[Piece]) -> str:
    return "".join(p.text for p in pieces if p.kind == "text")


def streamed(source: str, rng: random.Random) -> list[Piece]:
    """`source` fed in random fragments (1 to 7 characters)."""
    parser = TextToolParser(TOOLS)
    pieces: list[Piece] = []
    at = 0
    while at < len(source):
        size = rng.randint(1, 7)
        pieces += parser.feed(source[at : at + size])
        at += size
    return pieces + parser.finish()


def dumps(value: object) -> str:
    return json.dumps(value)


SHAPES = {
    "bare": f"I will write it.\n{dumps({'name': 'Write', 'arguments': WRITE})}\nDone.",
    "parameters": f"{dumps({'name': 'Write', 'parameters': WRITE})}",
    "input, indented": f"Now:\n  {dumps({'name': 'Write', 'input': WRITE})}",
    "openai shape": dumps({"type": "function", "function": {"name": "Bash", "arguments": BASH}}),
    "string arguments": dumps({"name": "Bash", "arguments": dumps(BASH)}),
    "fenced": f"Here:\n```json\n{dumps({'name': 'Write', 'arguments': WRITE})}\n```\nok",
    "fenced bare": f"```\n{dumps({'name': 'Bash', 'arguments': BASH})}```",
    "hermes": f"<tool_call>\n{dumps({'name': 'Write', 'arguments': WRITE})}\n</tool_call>",
    "llama": f"Run it: <function=Bash>{dumps(BASH)}</function>",
    "qwen3": (
        "<tool_call>\n<function=Write>\n<parameter=file_path>\n/tmp/a.py\n</parameter>\n"
        f"<parameter=content>\n{WRITE['content']}\n</parameter>\n</function>\n</tool_call>"
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_becomes_a_call_whatever_the_split(shape: str) -> None:
    source = SHAPES[shape]
    whole = parse_text(source, TOOLS)
    assert len(calls(whole)) == 1
    name, arguments = calls(whole)[0]
    assert arguments == (BASH if name == "Bash" else WRITE)
    rng = random.Random(shape)
    for _ in range(20):
        pieces = streamed(source, rng)
        assert calls(pieces) == calls(whole)
        assert "".join(p.source for p in pieces) == source
        assert text(pieces) == text(whole)


def test_a_fenced_list_gives_every_call() -> None:
    listed = [{"name": "Bash", "arguments": BASH}, {"name": "Write", "arguments": WRITE}]
    pieces = parse_text(f"```json\n{dumps(listed)}\n```", TOOLS)
    assert calls(pieces) == [("Bash", BASH), ("Write", WRITE)]


@pytest.mark.parametrize(
    "source",
    [
        dumps({"name": "Delete", "arguments": {"path": "/"}}),  # not a tool of the request
        dumps({"name": "Bash", "arguments": {"command": 3}}),  # wrong type
        dumps({"name": "Write", "arguments": {"file_path": "/a"}}),  # required key missing
        dumps({"name": "Bash"}),  # no arguments at all
        dumps({"name": "Write", "parameters": {"type": "object", "properties": {}}}),
        "say " + dumps({"name": "Bash", "arguments": BASH}),  # not at a line start
        f"```python\n{dumps({'name': 'Bash', 'arguments': BASH})}\n```",  # a code fence
        f"```json\n{dumps([{'name': 'Bash', 'arguments': BASH}, {'name': 'X', 'input': {}}])}\n```",
        "<function=Bash><parameter=cmd>ls</parameter></function>",  # required key missing
        f"<tool_call>{dumps({'name': 'Bash', 'arguments': BASH})}",  # never closed
        '{"name": "Bash", "arguments": {"command": "ls"}',  # cut off
    ],
)
def test_what_is_not_a_valid_call_stays_text(source: str) -> None:
    pieces = parse_text(source, TOOLS)
    assert calls(pieces) == []
    assert text(pieces) == source


def test_think_becomes_thinking_and_the_answer_stays_text() -> None:
    source = "<think>\nThe user wants ls.\n</think>\n\nRunning it."
    for seed in range(10):
        pieces = streamed(source, random.Random(seed))
        thought = "".join(p.text for p in pieces if p.kind == "thinking")
        assert thought == "\nThe user wants ls.\n"
        assert text(pieces) == "Running it."
        assert "".join(p.source for p in pieces) == source


def test_plain_text_is_emitted_at_once_and_only_possible_starts_are_held() -> None:
    parser = TextToolParser(TOOLS)
    assert text(parser.feed("Hello, world. ")) == "Hello, world. "
    assert text(parser.feed("a {b} c <b>bold</b>")) == "a {b} c <b>bold</b>"
    assert text(parser.feed("\nnext <tool_c")) == "\nnext "  # could be a tag
    assert text(parser.feed("ar> is a word")) == "<tool_car> is a word"
    assert text(parser.feed('\n{"title": "x"}')) == '\n{"title": "x"}'  # refused by its key
    assert text(parser.feed('\n{"name": "Nothing"')) == '\n{"name": "Nothing"'  # unknown name
    assert text(parser.feed('\n{"name": "Bash", "arguments": {')) == "\n"  # a call may follow
    assert calls(parser.feed('"command": "ls"}}')) == [("Bash", BASH | {"command": "ls"})]


# -- properties ----------------------------------------------------------------------------
WORDS = st.sampled_from(
    ["the", "model", "said", "{", "}", "[", "]", '"', ":", ",", "<", ">", "`", "```", "\n",
     " ", "name", "arguments", "json", "think", "tool_call", "function=", "Bash", "Write"]
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
NOT_A_TOOL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(
    lambda name: name not in TOOLS
)


@st.composite
def prose_with_json(draw: st.DrawFn) -> str:
    """Prose around JSON objects, fences and tags that name no tool of the request."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["prose", "object", "call-like", "fenced", "tag"]))
        if kind == "prose":
            parts.append("".join(draw(st.lists(WORDS, max_size=12))))
        elif kind == "object":
            parts.append("\n" + json.dumps(draw(st.dictionaries(st.text(max_size=6), JSON_VALUES))))
        else:
            call = json.dumps({"name": draw(NOT_A_TOOL), "arguments": draw(JSON_VALUES)})
            wrap = {"call-like": "\n{}", "fenced": "\n```json\n{}\n```\n", "tag": "<tool_call>{}"}
            parts.append(wrap[kind].format(call))
    return "".join(parts)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(source=prose_with_json(), seed=st.integers(0, 2**16))
def test_prose_mentioning_json_is_never_a_call_and_never_loses_text(source: str, seed: int) -> None:
    source = source.replace("<think>", "<thinks>")  # thinking is a separate property
    pieces = streamed(source, random.Random(seed))
    assert calls(pieces) == []
    assert text(pieces) == source


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(max_size=40).map(lambda s: s.replace("<think>", "")),
    after=st.text(max_size=40).map(lambda s: s.replace("<think>", "")),
    shape=st.sampled_from(sorted(SHAPES)),
    seed=st.integers(0, 2**16),
)
def test_text_around_a_call_is_kept_exactly(before: str, after: str, shape: str, seed: int) -> None:
    source = f"{before}\n{SHAPES[shape]}\n{after}"
    pieces = streamed(source, random.Random(seed))
    assert "".join(p.source for p in pieces) == source
    recognised = "".join(p.source for p in pieces if p.kind == "tool")
    assert text(pieces) == source.replace(recognised, "", 1) if recognised else source
    assert re.sub(r"\s", "", text(pieces)).count("arguments") <= source.count("arguments")


CODE_PARTS = [
    "Some prose. ",
    "\n",
    "\n```python\nx = {1: 2}\n```\n",
    "\n```\n`a` {b} <c\n```\n",
    "\n  ```sh\necho <tool\n```",
    "``",
    "`",
    "{",
    "<t",
    "\n<tool_call>" + dumps({"name": "Bash", "arguments": BASH}) + "</tool_call>\n",
    f"\n```json\n{dumps({'name': 'Bash', 'arguments': BASH})}\n```\n",
]


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.sampled_from(CODE_PARTS), max_size=12), seed=st.integers(0, 2**16))
def test_code_blocks_and_calls_alike_whatever_the_split(parts: list[str], seed: int) -> None:
    """The fast paths (code-block fences, held fence starts) give what the whole text gives."""
    source = "".join(parts)
    pieces = streamed(source, random.Random(seed))
    whole = parse_text(source, TOOLS)
    assert "".join(p.source for p in pieces) == source
    assert calls(pieces) == calls(whole)
    assert text(pieces) == text(whole)
