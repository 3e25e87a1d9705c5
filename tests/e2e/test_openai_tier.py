"""Issue: an `openai` tier serves Claude Code's agentic loop, then the conversation goes back
to Claude — with the real Claude Code CLI, a strict FakeAnthropic and a strict FakeOpenAI.

The OpenAI side plays a DeepSeek reasoner with Kimi-style tool-call ids (`functions.Read:0`):
its `reasoning_content` must be replayed on every tool-calling turn, and its ids break
Anthropic's id pattern, so both repairs of DESIGN.md §5 are on the path.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes import openai as fake_openai
from switchex.fakes.anthropic import FakeAnthropic, sign
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.openai import FakeOpenAI, validate_request
from switchex.providers.common import from_anthropic_tool_id
from tests.e2e.conftest import (
    ClaudeRun,
    Gateway,
    assert_serving_while_claude_cools,
    rate_limited,
    run_claude,
)

pytestmark = pytest.mark.e2e

Json = dict[str, Any]
MODEL = "deepseek-reasoner"
ORIGINAL = "def greet():\n    return 'hello'\n"
EDITED = "def greet():\n    return 'hello from deepseek'\n"
THOUGHTS = ["Read app.py first.", "Now change the greeting.", "Leave a marker.", "All done."]
DONE = "greeting changed and marker left"
FOREIGN_IDS = ["functions.Read:0", "functions.Edit:1", "functions.Bash:2"]


@pytest.fixture
def deepseek(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A FakeOpenAI whose tool-call ids look like Kimi's (`functions.Bash:2`), not Anthropic's."""
    counter = itertools.count()
    plain = fake_openai._calls

    def foreign_ids(reply: Reply) -> list[Json]:
        calls = plain(reply)
        for call in calls:
            call["id"] = f"functions.{call['function']['name']}:{next(counter)}"
        return calls

    monkeypatch.setattr(fake_openai, "_calls", foreign_ids)
    with FakeOpenAI() as fake:
        yield fake  # type: ignore[misc]


def tool_turns(repo: Path, wait_until: float = 0) -> list[Reply]:
    """Read, Edit, then a Bash command that leaves a marker (after `wait_until`, if given)."""
    source = str(repo / "app.py")
    command = f"echo done > {repo / 'marker.txt'}"
    if wait_until:
        pause = f"import time; time.sleep(max(0, {wait_until} - time.time()))"
        command = f"python3 -c '{pause}' && {command}"
    calls = [
        ToolCall("Read", {"file_path": source}),
        ToolCall(
            "Edit",
            {
                "file_path": source,
                "old_string": "return 'hello'",
                "new_string": "return 'hello from deepseek'",
            },
        ),
        ToolCall("Bash", {"command": command, "description": "Leave a marker"}),
    ]
    return [Reply(thinking=t, tool_calls=[c]) for t, c in zip(THOUGHTS, calls, strict=False)]


def start(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, deepseek: FakeOpenAI, reset: int
) -> Gateway:
    (repo / "app.py").write_text(ORIGINAL)
    claude.push(rate_limited(reset))
    tiers = [
        {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
        {
            "name": "deepseek",
            "provider": "openai",
            "base_url": f"{deepseek.base_url}/v1",
            "models": {"default": MODEL},
        },
    ]
    gateway: Gateway = gateway_factory({"tiers": tiers})
    return gateway


def serve_loop_from_openai(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, deepseek: FakeOpenAI, reset: int
) -> tuple[Gateway, ClaudeRun]:
    gateway = start(repo, gateway_factory, claude, deepseek, reset)
    deepseek.push(*tool_turns(repo), Reply(thinking=THOUGHTS[-1], text=DONE))
    return gateway, run_claude(repo, gateway.url, "make greet() say hello from deepseek")


def assert_loop_done(run: ClaudeRun, repo: Path, final: str) -> None:
    assert run.returncode == 0, run.stderr
    assert run.result["result"] == final
    assert (repo / "app.py").read_text() == EDITED
    assert (repo / "marker.txt").read_text() == "done\n"


def assistant_turns(body: Json) -> list[Json]:
    return [m for m in body["messages"] if m["role"] == "assistant"]


def all_blocks(body: Json) -> list[Json]:
    return [b for m in body["messages"] if isinstance(m["content"], list) for b in m["content"]]


def assert_strict_history(body: Json) -> list[Json]:
    """The tool history reached Claude whole, with no thinking Claude did not sign."""
    blocks = all_blocks(body)
    uses = {b["id"]: b["name"] for b in blocks if b["type"] == "tool_use"}
    assert sorted(uses.values()) == ["Bash", "Edit", "Read"]
    assert {b["tool_use_id"] for b in blocks if b["type"] == "tool_result"} == set(uses)
    assert sorted(map(from_anthropic_tool_id, uses)) == sorted(FOREIGN_IDS)  # legal, reversible
    thinking = [b for b in blocks if b["type"] == "thinking"]
    assert all(b.get("signature") == sign(b["thinking"]) for b in thinking)
    return blocks


def test_openai_tier_serves_a_whole_agentic_loop(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, deepseek: FakeOpenAI
) -> None:
    reset = int(time.time()) + 120
    gateway, run = serve_loop_from_openai(repo, gateway_factory, claude, deepseek, reset)

    assert_loop_done(run, repo, DONE)
    assert len(claude.model_requests()) == 1  # the 429; nothing while it cools
    bodies = deepseek.bodies()
    assert len(bodies) == 4
    assert [validate_request(body) for body in bodies] == [None] * 4
    assert {body["model"] for body in bodies} == {MODEL}
    turns = assistant_turns(bodies[-1])
    assert [t["tool_calls"][0]["id"] for t in turns] == FOREIGN_IDS  # ids mapped back exactly
    assert [t["reasoning_content"] for t in turns] == THOUGHTS[:3]  # DeepSeek replay
    tool_messages = [m for m in bodies[-1]["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == FOREIGN_IDS
    assert_serving_while_claude_cools(gateway, "deepseek", reset)
    served = gateway.journal("SELECT tier, served_model, status FROM requests", at_least=4)
    assert served == [("deepseek", MODEL, 200)] * 4


def test_conversation_resumed_on_claude_after_the_reset(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, deepseek: FakeOpenAI
) -> None:
    reset = int(time.time()) + 8
    gateway, first = serve_loop_from_openai(repo, gateway_factory, claude, deepseek, reset)
    assert_loop_done(first, repo, DONE)
    assert time.time() < reset, "the loop outlasted the reset: raise the margin"

    time.sleep(reset - time.time() + 0.2)
    claude.push(Reply(text="claude is back"))
    again = run_claude(repo, gateway.url, "are you back?", resume=first.result["session_id"])

    assert again.returncode == 0, again.stderr
    assert again.result["result"] == "claude is back"
    requests = claude.model_requests()
    assert len(requests) == 2
    blocks = assert_strict_history(requests[-1].json())
    assert any(b["type"] == "text" and b["text"] == DONE for b in blocks)
    assert gateway.status()["active"] == "claude"
    assert gateway.journal("SELECT to_tier, reason FROM switches ORDER BY id", 2)[-1] == (
        "claude",
        "recovered",
    )
    statuses = gateway.journal("SELECT tier, status FROM requests ORDER BY id", at_least=5)
    assert statuses == [("deepseek", 200)] * 4 + [("claude", 200)]


def test_claude_takes_over_mid_loop_with_foreign_thinking_in_history(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, deepseek: FakeOpenAI
) -> None:
    """Within one live session (unlike --resume, which drops thinking from the history),
    Claude Code sends DeepSeek's thinking back: the gateway must keep it from Claude."""
    reset = int(time.time()) + 8
    gateway = start(repo, gateway_factory, claude, deepseek, reset)
    deepseek.push(*tool_turns(repo, wait_until=reset + 0.3))
    claude.push(Reply(text="finished on claude"))

    run = run_claude(repo, gateway.url, "make greet() say hello from deepseek")

    assert_loop_done(run, repo, "finished on claude")
    assert len(deepseek.bodies()) == 3
    assert [validate_request(body) for body in deepseek.bodies()] == [None] * 3
    assert deepseek.bodies()[-1]["messages"][-2]["reasoning_content"] == THOUGHTS[1]
    requests = claude.model_requests()
    assert len(requests) == 2
    body = requests[-1].json()
    assert_strict_history(body)
    assert not any(b["type"] == "thinking" for b in all_blocks(body))
    assert "thinking" not in body  # the last assistant turn lost its thinking: turned off
    edits = (body.get("context_management") or {}).get("edits", [])
    assert not any(e["type"].startswith("clear_thinking") for e in edits)
    statuses = gateway.journal("SELECT tier, status FROM requests ORDER BY id", at_least=4)
    assert statuses == [("deepseek", 200)] * 3 + [("claude", 200)]
