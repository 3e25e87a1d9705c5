"""Issue: a `gemini` tier serves Claude Code's agentic loop, takes a live session over from
Claude and hands it back — with the real Claude Code CLI, a strict FakeAnthropic and a strict
FakeGemini playing Gemini 3, which refuses replayed function calls that lack a
thoughtSignature it issued (or Google's dummy, for calls another model made).

Gemini's signatures ride inside its tool-use ids (providers/gemini/ids.py). Real ones run to
hundreds of bytes or a few KB, so the fake here issues 1.5 KB signatures: the ids Claude later
receives are that long.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from switchex.fakes.anthropic import FakeAnthropic, sign
from switchex.fakes.anthropic import validate_request as anthropic_valid
from switchex.fakes.base import Received, Reply, ToolCall
from switchex.fakes.gemini import DUMMY_SIGNATURE, FakeGemini, validate_request
from switchex.fakes.openai import FakeOpenAI
from switchex.providers.gemini.ids import call_signature
from tests.e2e.conftest import (
    ClaudeRun,
    Gateway,
    assert_serving_while_claude_cools,
    rate_limited,
    run_claude,
    tool,
)

pytestmark = pytest.mark.e2e

Json = dict[str, Any]
MODEL = "gemini-3-pro-preview"
KEY = "gm-test-key"
SIGNATURE_BYTES = 1536
ORIGINAL = "def greet():\n    return 'hello'\n"
EDITED = "def greet():\n    return 'hello from gemini'\n"
THOUGHTS = ["Read app.py first.", "Now change the greeting.", "Leave a marker.", "All done."]
DONE = "greeting changed and marker left"


class LongSignatures(FakeGemini):
    """A FakeGemini whose thought signatures are as long as real Gemini 3 ones."""

    def _signer(self, model: str) -> Callable[[], str | None]:
        def issue() -> str | None:
            if not model.startswith("gemini-3"):
                return None
            signature = base64.b64encode(secrets.token_bytes(SIGNATURE_BYTES)).decode()
            self.issued_signatures.add(signature)
            return signature

        return issue


@pytest.fixture
def gemini() -> Iterator[FakeGemini]:
    with LongSignatures(api_key=KEY) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def local() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake  # type: ignore[misc]


def claude_tier(claude: FakeAnthropic) -> Json:
    return {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}


def gemini_tier(gemini: FakeGemini, name: str = "gemini", model: str = MODEL) -> Json:
    return {
        "name": name,
        "provider": "gemini",
        "base_url": gemini.base_url,
        "api_key": KEY,
        "models": {"default": model},
    }


def start(repo: Path, gateway_factory: Any, *tiers: Json) -> Gateway:
    (repo / "app.py").write_text(ORIGINAL)
    gateway: Gateway = gateway_factory({"tiers": list(tiers)})
    return gateway


def tool_calls(repo: Path, wait_until: float = 0) -> list[ToolCall]:
    """Read, Edit, then a Bash command that leaves a marker (after `wait_until`, if given)."""
    source = str(repo / "app.py")
    command = f"echo done > {repo / 'marker.txt'}"
    if wait_until:
        pause = f"import time; time.sleep(max(0, {wait_until} - time.time()))"
        command = f"python3 -c '{pause}' && {command}"
    edit = {"old_string": "return 'hello'", "new_string": "return 'hello from gemini'"}
    return [
        ToolCall("Read", {"file_path": source}),
        ToolCall("Edit", {"file_path": source, **edit}),
        ToolCall("Bash", {"command": command, "description": "Leave a marker"}),
    ]


def assert_loop_done(run: ClaudeRun, repo: Path, final: str) -> None:
    assert run.returncode == 0, run.stderr
    assert run.result["result"] == final
    assert (repo / "app.py").read_text() == EDITED
    assert (repo / "marker.txt").read_text() == "done\n"


def function_calls(body: Json) -> list[Json]:
    return [p for c in body["contents"] for p in c["parts"] if "functionCall" in p]


def assert_gemini_accepted(gemini: FakeGemini, count: int, model: str = MODEL) -> list[Json]:
    """Every request was valid, keyed in the header only, and replayed only known signatures."""
    requests: list[Received] = gemini.model_requests()
    assert len(requests) == count
    for request in requests:
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["x-goog-api-key"] == KEY
        assert request.path == f"/v1beta/models/{model}:streamGenerateContent"
        assert request.query == "alt=sse"  # the key never rides in the URL
    bodies = [request.json() for request in requests]
    assert [validate_request(body, model) for body in bodies] == [None] * count
    known = gemini.issued_signatures | {DUMMY_SIGNATURE}
    for body in bodies:
        assert all(
            call.get("thoughtSignature", DUMMY_SIGNATURE) in known for call in function_calls(body)
        )
    return bodies


def all_blocks(body: Json) -> list[Json]:
    return [b for m in body["messages"] if isinstance(m["content"], list) for b in m["content"]]


def journal_statuses(gateway: Gateway, count: int) -> list[tuple[str, int]]:
    rows = gateway.journal("SELECT tier, status FROM requests ORDER BY id", at_least=count)
    return [(tier, status) for tier, status in rows]


def test_gemini_tier_serves_a_whole_agentic_loop(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, gemini: FakeGemini
) -> None:
    reset = int(time.time()) + 120
    claude.push(rate_limited(reset))
    gateway = start(repo, gateway_factory, claude_tier(claude), gemini_tier(gemini))
    turns = [
        Reply(thinking=t, tool_calls=[c])
        for t, c in zip(THOUGHTS[:3], tool_calls(repo), strict=True)
    ]
    gemini.push(*turns, Reply(thinking=THOUGHTS[-1], text=DONE))

    run = run_claude(repo, gateway.url, "make greet() say hello from gemini")

    assert_loop_done(run, repo, DONE)
    assert len(claude.model_requests()) == 1  # the 429; nothing while it cools
    bodies = assert_gemini_accepted(gemini, 4)
    replayed = function_calls(bodies[-1])
    assert [c["functionCall"]["name"] for c in replayed] == ["Read", "Edit", "Bash"]
    assert all(c["thoughtSignature"] in gemini.issued_signatures for c in replayed)
    assert_serving_while_claude_cools(gateway, "gemini", reset)
    served = gateway.journal("SELECT tier, served_model, status FROM requests", at_least=4)
    assert served == [("gemini", MODEL, 200)] * 4


def test_live_session_moves_from_claude_to_gemini_and_back(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, gemini: FakeGemini
) -> None:
    """Claude reads (with signed thinking), is limited; Gemini edits and runs a Bash command
    that outlasts the reset; Claude finishes the same live session."""
    reset = int(time.time()) + 8
    read, edit, bash = tool_calls(repo, wait_until=reset + 0.3)
    claude.push(
        Reply(thinking=THOUGHTS[0], tool_calls=[read]),
        rate_limited(reset),
        Reply(text="finished on claude"),
    )
    gemini.push(
        Reply(thinking=THOUGHTS[1], tool_calls=[edit]),
        Reply(thinking=THOUGHTS[2], tool_calls=[bash]),
    )
    gateway = start(repo, gateway_factory, claude_tier(claude), gemini_tier(gemini))

    run = run_claude(repo, gateway.url, "make greet() say hello from gemini")

    assert_loop_done(run, repo, "finished on claude")
    first, second = assert_gemini_accepted(gemini, 2)
    assert gemini.model_requests()[-1].time < reset, "the loop outlasted the reset: raise it"
    assert [c.get("thoughtSignature") for c in function_calls(first)] == [DUMMY_SIGNATURE]
    read_call, edit_call = function_calls(second)  # Claude's call: the dummy; Gemini's: its own
    assert read_call["thoughtSignature"] == DUMMY_SIGNATURE
    assert edit_call["thoughtSignature"] in gemini.issued_signatures
    texts = [p.get("text") for c in second["contents"] for p in c["parts"]]
    assert not set(THOUGHTS) & set(texts)  # no thinking, Claude's or Gemini's, replayed
    requests = claude.model_requests()
    assert len(requests) == 3
    body = requests[-1].json()
    assert anthropic_valid(body) is None
    blocks = all_blocks(body)
    uses = [b for b in blocks if b["type"] == "tool_use"]
    assert [b["name"] for b in uses] == ["Read", "Edit", "Bash"]
    assert call_signature(uses[0]["id"]) is None  # Claude's own id, untouched
    for use in uses[1:]:  # Gemini's ids, signature and all, reach Claude legal and whole
        assert call_signature(use["id"]) in gemini.issued_signatures
        assert len(use["id"]) > 2000
    thinking = [b for b in blocks if b["type"] == "thinking"]
    assert [b["thinking"] for b in thinking] == [THOUGHTS[0]]  # Gemini's dropped
    assert all(b["signature"] == sign(b["thinking"]) for b in thinking)
    assert "thinking" not in body  # the last assistant turn lost its thinking: turned off
    assert journal_statuses(gateway, 4) == [
        ("claude", 200),
        ("gemini", 200),
        ("gemini", 200),
        ("claude", 200),
    ]
    switches = gateway.journal("SELECT from_tier, to_tier, reason FROM switches ORDER BY id", 2)
    assert switches == [("claude", "gemini", "rate_limit"), ("gemini", "claude", "recovered")]
    assert gateway.status()["active"] == "claude"


def test_default_chain_shape_falls_through_to_local(
    repo: Path,
    gateway_factory: Any,
    claude: FakeAnthropic,
    gemini: FakeGemini,
    local: FakeOpenAI,
) -> None:
    """claude → gemini-flash → local, as the embedded default chain (minus OpenRouter)."""
    reset = int(time.time()) + 120
    claude.push(rate_limited(reset))
    gemini.push(Reply(status=429, headers={"retry-after": "90"}))
    marker = f"echo done > {repo / 'marker.txt'}"
    local.push(tool("Bash", command=marker, description="Leave a marker"))
    local.push(Reply(text="finished on local"))
    tiers = [
        claude_tier(claude),
        gemini_tier(gemini, "gemini-flash", "gemini-2.5-flash"),
        {
            "name": "local",
            "provider": "openai",
            "base_url": f"{local.base_url}/v1",
            "models": {"default": "qwen2.5-coder:7b"},
        },
    ]
    gateway = start(repo, gateway_factory, *tiers)
    before = time.time()

    run = run_claude(repo, gateway.url, "leave a marker")

    assert run.returncode == 0, run.stderr
    assert run.result["result"] == "finished on local"
    assert (repo / "marker.txt").read_text() == "done\n"
    assert len(claude.model_requests()) == 1
    assert_gemini_accepted(gemini, 1, "gemini-2.5-flash")
    assert len(local.bodies()) == 2
    shown = subprocess.run(
        [sys.executable, "-m", "switchex", "status", "--json"],
        env={**os.environ, "SWITCHEX_URL": gateway.url},
        capture_output=True,
        text=True,
        check=True,
    )
    status = json.loads(shown.stdout)
    assert status["active"] == "local"
    states = {t["name"]: (t["state"], t["until"]) for t in status["tiers"]}
    assert states["claude"] == ("cooling", reset)
    assert states["gemini-flash"][0] == "cooling"
    assert before + 85 < states["gemini-flash"][1] < time.time() + 95  # RetryInfo 90s
    assert states["local"][0] == "ready"
    # A switch is a change of serving tier: gemini-flash never served, so one row.
    switches = gateway.journal("SELECT from_tier, to_tier, reason FROM switches")
    assert switches == [("claude", "local", "rate_limit")]
    assert journal_statuses(gateway, 2) == [("local", 200)] * 2
