"""The story `switchex demo` plays, as Claude Code would, against a gateway over fakes.

Fake Claude writes `notes.md` (a tool_use), then reports its usage limit; the fake local
model edits `README.md` with a tool call; after the reset Claude answers again. The client
here runs the Write/Edit tools on the scratch repository itself, as Claude Code does, so the
gateway's tracker attributes each change to the model whose tool call made it.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.openai import FakeOpenAI

LOCAL_MODEL = "qwen2.5-coder:7b"
TOOLS = [
    {
        "name": "Write",
        "description": "Write a file.",
        "input_schema": {
            "type": "object",
            "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}},
            "required": ["file_path", "content"],
        },
    },
    {
        "name": "Edit",
        "description": "Replace a string in a file.",
        "input_schema": {
            "type": "object",
            "properties": {
                "file_path": {"type": "string"},
                "old_string": {"type": "string"},
                "new_string": {"type": "string"},
            },
            "required": ["file_path", "old_string", "new_string"],
        },
    },
]


def fakes(reset: int) -> tuple[FakeAnthropic, FakeOpenAI]:
    """Fake Claude (a Write, then its limit for `reset` s) and a fake local model (an Edit)."""
    claude = FakeAnthropic(default=Reply(text="Fake Claude is back: switchex switched back."))
    write = {"file_path": "notes.md", "content": "# Notes\n\nWritten by fake Claude.\n"}
    claude.push(
        Reply(text="I'll write the notes.", tool_calls=[ToolCall("Write", write)]),
        Reply(
            status=429,
            error_message="Claude usage limit reached",
            headers={"anthropic-ratelimit-unified-status": "rejected", "retry-after": str(reset)},
        ),
    )
    local = FakeOpenAI(
        default=Reply(text=f"Done ({LOCAL_MODEL}); Claude is cooling."), models=(LOCAL_MODEL,)
    )
    edit = {
        "file_path": "README.md",
        "old_string": "demo project",
        "new_string": "demo project, edited by the local model",
    }
    local.push(Reply(text="Editing the README.", tool_calls=[ToolCall("Edit", edit)]))
    return claude, local


def scratch_repo(path: Path) -> Path:
    """A new git repository with one commit (README.md)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "README.md").write_text("# A switchex demo project\n")
    for args in (
        ["init", "-q"],
        ["add", "README.md"],
        [
            "-c",
            "user.name=switchex demo",
            "-c",
            "user.email=demo@localhost",
            "commit",
            "-qm",
            "start",
        ],
    ):
        subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True)
    return path


def run_tool(repo: Path, name: str, arguments: dict[str, Any]) -> str:
    """What Claude Code's Write and Edit tools do, inside `repo` only."""
    target = (repo / str(arguments["file_path"])).resolve()
    if repo.resolve() not in target.parents:
        return "refused: outside the repository"
    if name == "Write":
        target.write_text(str(arguments["content"]))
    elif name == "Edit":
        text = target.read_text()
        target.write_text(text.replace(str(arguments["old_string"]), str(arguments["new_string"])))
    return "ok"


class Client:
    """A minimal Claude Code: one session, one conversation, tools run on `repo`."""

    def __init__(self, port: int, repo: Path, settle: Callable[[], object]) -> None:
        self.port, self.repo, self.settle = port, repo, settle
        self.messages: list[dict[str, Any]] = []

    def turn(self, content: Any) -> tuple[str, dict[str, Any]]:
        """Send one request; run the tools the answer asks for. Returns (tier, answer)."""
        self.messages.append({"role": "user", "content": content})
        body = {
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "system": f"Primary working directory: {self.repo}\nIs a git repository: true",
            "messages": self.messages,
            "tools": TOOLS,
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"content-type": "application/json", "x-claude-code-session-id": "demo"}
        connection.request("POST", "/v1/messages", json.dumps(body), headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
        tier = response.getheader("x-switchex-tier") or "-"
        connection.close()
        if response.status == 200:
            self.messages.append({"role": "assistant", "content": answer["content"]})
        return tier, answer

    def results(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        """Run the answer's tools, after the boundary's snapshot (a real model takes seconds
        to answer; the fakes answer at once, so wait for the tracker instead)."""
        self.settle()
        return [
            {
                "type": "tool_result",
                "tool_use_id": block["id"],
                "content": run_tool(self.repo, block["name"], block["input"]),
            }
            for block in answer.get("content", [])
            if block.get("type") == "tool_use"
        ]


def play(port: int, repo: Path, reset: int, say: Any, settle: Callable[[], object]) -> None:
    """The four turns of the story; `say` prints one line, `settle` waits for snapshots."""
    client = Client(port, repo, settle)
    tier, answer = client.turn("Write notes, then improve the README.")
    say(f"1. {tier} ({answer.get('model')}) answers with a tool call: Write notes.md")
    tier, answer = client.turn(client.results(answer))
    took = f"{tier} ({answer.get('model')}) takes over"
    say(f"2. Claude reports its usage limit; {took}: Edit README.md")
    tier, answer = client.turn(client.results(answer))
    say(f"3. {tier} ({answer.get('model')}) finishes the task")
    say(f"   ... waiting {reset} s for fake Claude's limit to reset")
    time.sleep(reset + 0.5)
    tier, answer = client.turn("Thanks! Anything else?")
    say(f"4. {tier} ({answer.get('model')}) is back: switchex switched back")
