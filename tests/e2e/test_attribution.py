"""Issue 12: every change tied to the model that emitted the tool call — real Claude Code,
HTTP hooks installed by `switchex init`, fakes that answer at once.

The fake here scripts its answers per requested model (`ANTHROPIC_MODEL` for the main
agent, `CLAUDE_CODE_SUBAGENT_MODEL` for subagents), so agents and sessions that run at the
same time each get their own script whatever order their requests arrive in.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Received, Reply, ToolCall
from tests.e2e.conftest import (
    Gateway,
    claude_binary,
    claude_then_backup,
    git,
    rate_limited,
    tool,
    user_state,
)

pytestmark = pytest.mark.e2e
CHAIN = "refs/switchex/snapshots/main"
MAIN = "claude-sonnet-4-5"
SUB = "claude-haiku-4-5"
TOOLS = ["Write", "Edit", "Bash", "Read", "Agent", "Task"]


class PerModel(FakeAnthropic):
    """A fake Anthropic whose script is kept per requested model."""

    def __init__(self) -> None:
        super().__init__()
        self.by_model: dict[str, deque[Reply]] = {}
        self._model = ""

    def answer(self, model: str, *replies: Reply) -> None:
        self.by_model.setdefault(model, deque()).extend(replies)

    async def record(self, request: web.Request) -> Received:
        received = await super().record(request)
        try:  # no await between here and next_reply: the model is this request's
            self._model = str(received.json().get("model") or "")
        except ValueError:
            self._model = ""
        return received

    def next_reply(self) -> Reply:
        queue = self.by_model.get(self._model)
        return queue.popleft() if queue else self.default


@pytest.fixture
def fake() -> Iterator[PerModel]:
    with PerModel() as server:
        yield server  # type: ignore[misc]


def start(repo: Path, url: str, prompt: str, model: str = MAIN) -> subprocess.Popen[str]:
    command = [claude_binary(), "-p", prompt, "--output-format", "json", "--allowedTools", *TOOLS]
    env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_API_KEY": "test-key",
        "ANTHROPIC_MODEL": model,
        "CLAUDE_CODE_SUBAGENT_MODEL": SUB,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_MAX_RETRIES": "2",
    }
    return subprocess.Popen(
        command,
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> dict[str, Any]:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    assert not result.get("is_error"), result
    return result


def one_tier(fake: FakeAnthropic) -> dict[str, Any]:
    return {"tiers": [{"name": "claude", "provider": "anthropic", "base_url": fake.base_url}]}


def init(repo: Path, gateway: Gateway) -> None:
    subprocess.run(
        ["switchex", "init", "--repo", str(repo), "--url", gateway.url],
        check=True,
        capture_output=True,
    )


def wrote(repo: Path, path: str) -> str:
    """The model of the chain commit that last changed `path` (its Switchex-Model trailer)."""
    fmt = "--format=%(trailers:key=Switchex-Model,valueonly)"
    return git(repo, "log", "-1", fmt, CHAIN, "--", path).strip()


def kinds(repo: Path) -> list[str]:
    fmt = "--format=%(trailers:key=Switchex-Kind,valueonly)"
    return [k for k in git(repo, "log", fmt, CHAIN).split() if k]


def test_a_background_bash_belongs_to_the_model_that_launched_it(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, claude2: FakeAnthropic
) -> None:
    """Claude launches `sleep; echo > out.txt` in the background and is then rate-limited;
    the backup model writes b.txt meanwhile. out.txt lands after both, announced by a
    `<task-notification>` prompt: it is Claude's, not the backup's and not the human's."""
    claude.push(
        tool("Bash", command="sleep 3; echo late > out.txt", run_in_background=True),
        rate_limited(2_000_000_000),
    )
    claude2.push(
        tool("Write", file_path=str(repo / "b.txt"), content="backup\n"),
        Reply(text="waiting for the background command"),
        Reply(text="noted"),
    )
    gateway = gateway_factory(claude_then_backup(claude.base_url, claude2.base_url))
    init(repo, gateway)
    before = user_state(repo)

    finish(start(repo, gateway.url, "build it"))

    assert (repo / "out.txt").read_text() == "late\n"
    assert wrote(repo, "out.txt") == MAIN
    assert wrote(repo, "b.txt") == "backup-model-1"
    assert "human" not in kinds(repo)
    assert user_state(repo) == before


def test_a_background_subagent_is_attributed_apart_from_the_main_agent(
    repo: Path, gateway_factory: Any, fake: PerModel
) -> None:
    """The main agent launches a background subagent (another model) and, in the same batch,
    runs a Bash; each file belongs to the agent whose tool call wrote it."""
    fake.answer(
        MAIN,
        Reply(
            tool_calls=[
                ToolCall(
                    "Agent",
                    {
                        "description": "write sub.txt",
                        "prompt": "write sub.txt",
                        "subagent_type": "general-purpose",
                        "run_in_background": True,
                    },
                ),
                ToolCall("Bash", {"command": "echo main > main.txt", "description": "main"}),
            ]
        ),
        Reply(text="waiting for the subagent"),
        Reply(text="all done"),
    )
    # The subagent writes after the main agent's batch was snapshot (see README: a scan
    # cannot tell apart a parallel agent's write that has not reached its own batch yet).
    fake.answer(
        SUB,
        Reply(
            tool_calls=[ToolCall("Write", {"file_path": str(repo / "sub.txt"), "content": "s\n"})],
            delay=1.5,
        ),
        Reply(text="sub.txt written"),
    )
    gateway = gateway_factory(one_tier(fake))
    init(repo, gateway)

    finish(start(repo, gateway.url, "split the work"))

    assert (repo / "sub.txt").read_text() == "s\n"
    assert wrote(repo, "main.txt") == MAIN
    assert wrote(repo, "sub.txt") == SUB
    assert "human" not in kinds(repo)


def test_a_mixed_write_and_bash_batch_of_one_model(
    repo: Path, gateway_factory: Any, fake: PerModel
) -> None:
    """One batch with a Write and a Bash: both files are the model's; a human edit made
    before the next prompt stays the human's."""
    fake.answer(
        MAIN,
        Reply(
            tool_calls=[
                ToolCall("Write", {"file_path": str(repo / "w.txt"), "content": "w\n"}),
                ToolCall("Bash", {"command": "echo b > b.txt", "description": "b"}),
            ]
        ),
        Reply(text="done"),
        Reply(text="ok"),
    )
    gateway = gateway_factory(one_tier(fake))
    init(repo, gateway)
    finish(start(repo, gateway.url, "write both"))
    (repo / "h.txt").write_text("mine\n")
    finish(start(repo, gateway.url, "anything else?"))

    assert wrote(repo, "w.txt") == MAIN
    assert wrote(repo, "b.txt") == MAIN
    assert wrote(repo, "h.txt") == "human"


def test_two_sessions_in_one_repository(repo: Path, gateway_factory: Any, fake: PerModel) -> None:
    """Session 1's Bash is still running when session 2 starts and writes: session 2's
    prompt snapshot must not take session 1's output as human, nor its own as session 1's."""
    other = SUB
    fake.answer(
        MAIN,
        tool("Bash", command="sleep 4; echo one > one.txt", description="slow"),
        Reply(text="session 1 done"),
    )
    fake.answer(
        other,
        Reply(
            tool_calls=[ToolCall("Write", {"file_path": str(repo / "two.txt"), "content": "2\n"})]
        ),
        Reply(text="session 2 done"),
    )
    gateway = gateway_factory(one_tier(fake))
    init(repo, gateway)

    first = start(repo, gateway.url, "slow work")
    second = start(repo, gateway.url, "quick work", model=other)
    finish(second)
    finish(first)

    assert wrote(repo, "one.txt") == MAIN
    assert wrote(repo, "two.txt") == other
    assert "human" not in kinds(repo)


def test_fast_answers_in_a_30k_file_repository_are_attributed_exactly(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic, claude2: FakeAnthropic
) -> None:
    """Zero-latency answers, each scan of 30,000 files slower than the next answer: with
    the PostToolBatch hook waiting for its snapshot, every file is its own model's."""
    for group in range(30):
        folder = repo / "src" / f"g{group:02d}"
        folder.mkdir(parents=True)
        for number in range(1000):
            (folder / f"f{number:04d}.txt").write_text(f"{group} {number}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "30k files")
    claude.push(
        *(tool("Bash", command=f"echo {n} > c{n}.txt", description="c") for n in range(3)),
        rate_limited(2_000_000_000),
    )
    claude2.push(
        *(tool("Bash", command=f"echo {n} > b{n}.txt", description="b") for n in range(3)),
        tool("Write", file_path=str(repo / "b3.txt"), content="3\n"),
        Reply(text="done"),
    )
    gateway = gateway_factory(claude_then_backup(claude.base_url, claude2.base_url))
    init(repo, gateway)

    finish(start(repo, gateway.url, "seven small steps"))

    expected = {f"c{n}.txt": MAIN for n in range(3)}
    expected |= {f"b{n}.txt": "backup-model-1" for n in range(4)}
    assert {name: wrote(repo, name) for name in expected} == expected
    assert "human" not in kinds(repo)
