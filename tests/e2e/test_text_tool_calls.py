"""Issue 11 item 2: a local model that prints its tool calls as text still drives Claude Code.

The real Claude Code CLI talks to switchex; the only tier is a loopback FakeOpenAI that never
sends `tool_calls`: every call is text, in each shape local models use (a bare JSON object, a
fenced block, Hermes `<tool_call>` tags, Llama `<function=…>` tags, Qwen3-coder parameters),
and the last answer opens with `<think>`. Claude Code must really create and edit the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.openai import FakeOpenAI, validate_request
from tests.e2e.conftest import run_claude

pytestmark = pytest.mark.e2e

DONE = "both files written and edited"


def text_turns(repo: Path) -> list[Reply]:
    first, second = str(repo / "first.txt"), str(repo / "second.txt")
    steps = [
        ("json", ToolCall("Write", {"file_path": first, "content": "one\n"})),
        ("fenced", ToolCall("Read", {"file_path": first})),
        (
            "tool_call",
            ToolCall("Edit", {"file_path": first, "old_string": "one", "new_string": "uno"}),
        ),
        ("function", ToolCall("Write", {"file_path": second, "content": "two\n"})),
        ("qwen3", ToolCall("Read", {"file_path": second})),
        ("json", ToolCall("Edit", {"file_path": second, "old_string": "two", "new_string": "dos"})),
    ]
    return [
        Reply(text=f"Step {n}: using {shape}.", tool_calls=[call], tool_call_text=shape)
        for n, (shape, call) in enumerate(steps, 1)
    ]


@pytest.fixture
def local() -> Any:
    with FakeOpenAI(models=("qwen2.5-coder:7b",)) as fake:
        yield fake


def test_text_tool_calls_of_every_shape_drive_claude_code(
    repo: Path, gateway_factory: Any, local: FakeOpenAI
) -> None:
    tier = {
        "name": "local",
        "provider": "openai",
        "base_url": f"{local.base_url}/v1",
        "models": {"default": "qwen2.5-coder:7b"},
    }
    gateway = gateway_factory({"tiers": [tier]})
    local.push(*text_turns(repo), Reply(text=f"<think>All steps ran.</think>\n{DONE}"))

    run = run_claude(repo, gateway.url, "write first.txt and second.txt, then edit them")

    assert run.returncode == 0, run.stderr
    assert (repo / "first.txt").read_text() == "uno\n"
    assert (repo / "second.txt").read_text() == "dos\n"
    assert run.result["result"] == DONE  # the thinking is not shown as the answer
    bodies = [b for b in local.bodies() if b.get("tools")]  # the main loop, not side requests
    assert len(bodies) == 7
    assert [validate_request(body) for body in bodies] == [None] * 7
    calls = [m for m in bodies[-1]["messages"] if m["role"] == "assistant" and "tool_calls" in m]
    names = [m["tool_calls"][0]["function"]["name"] for m in calls]
    assert names == ["Write", "Read", "Edit", "Write", "Read", "Edit"]
    assert all("<tool_call>" not in (m["content"] or "") for m in calls)  # parsed, not echoed
    results = [m for m in bodies[-1]["messages"] if m["role"] == "tool"]
    assert len(results) == 6 and not any(m["content"].startswith("[tool error]") for m in results)
    assert gateway.journal("SELECT stop_reason FROM requests WHERE tool_use = 1", 6)


def test_claude_code_works_through_a_llamacpp_server(repo: Path, gateway_factory: Any) -> None:
    """Issue 15: llama-cpp-python's server (detected from its model list) cannot stream tool
    calls and 500s on `content: null`; Claude Code's streamed requests still get their tools."""
    with FakeOpenAI(quirks=("llamacpp",), owned_by="me", models=("smollm2",)) as fake:
        tier = {
            "name": "local",
            "provider": "openai",
            "base_url": f"{fake.base_url}/v1",
            "models": {"default": "smollm2"},
        }
        gateway = gateway_factory({"tiers": [tier]})
        target = str(repo / "hello.txt")
        fake.push(Reply(tool_calls=[ToolCall("Write", {"file_path": target, "content": "hi\n"})]))
        fake.push(Reply(text="wrote hello.txt"))

        run = run_claude(repo, gateway.url, "write hello.txt")

        assert run.returncode == 0, run.stderr
        assert (repo / "hello.txt").read_text() == "hi\n"
        assert run.result["result"] == "wrote hello.txt"
        loop = [b for b in fake.bodies() if b.get("tools")]
        assert all(b["tool_choice"] == "auto" and "stream" not in b for b in loop)
        assert loop[-1]["messages"][-2]["content"] == ""  # never null beside tool_calls
