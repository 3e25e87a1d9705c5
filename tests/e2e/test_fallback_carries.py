"""Issue: the fallback tier really carries the session — with the real Claude Code CLI.

An overloaded Claude (200, then an `error` event) hands the tool loop to the next tier; an
image Claude Code reads goes past a text-only tier to one that can see; a conversation too
big for a small tier's window skips it, and with no tier left Claude Code is told the prompt
is too long.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, start_stream
from switchex.fakes.gemini import FakeGemini
from switchex.fakes.openai import FakeOpenAI
from tests.e2e.conftest import rate_limited, run_claude, tool

pytestmark = pytest.mark.e2e

MESSAGE_START = (
    b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_o","type":'
    b'"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,'
    b'"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
    b'event: ping\ndata: {"type":"ping"}\n\n'
)
OVERLOADED = (
    b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error",'
    b'"message":"Overloaded"}}\n\n'
)


class OverloadedClaude(FakeAnthropic):
    """Anthropic under load: every stream is a 200 whose events stop at an overloaded error."""

    async def messages(self, request: web.Request) -> web.StreamResponse:
        await self.record(request)
        response = await start_stream(request, {})
        await response.write(MESSAGE_START)
        await response.write(OVERLOADED)
        await response.write_eof()
        return response


@pytest.fixture
def overloaded() -> Iterator[OverloadedClaude]:
    with OverloadedClaude() as fake:
        yield fake


def test_an_overloaded_stream_hands_the_tool_loop_to_the_next_tier(
    repo: Path, gateway_factory: Any, overloaded: OverloadedClaude, claude2: FakeAnthropic
) -> None:
    target = repo / "notes.txt"
    claude2.push(
        tool("Write", file_path=str(target), content="first\n"),
        tool("Edit", file_path=str(target), old_string="first", new_string="second"),
        Reply(text="notes written and edited"),
    )
    gateway = gateway_factory(
        {
            "tiers": [
                {"name": "claude", "provider": "anthropic", "base_url": overloaded.base_url},
                {"name": "backup", "provider": "anthropic", "base_url": claude2.base_url},
            ]
        }
    )

    run = run_claude(repo, gateway.url, "write notes.txt, then edit it")

    assert run.returncode == 0, run.stderr
    assert run.result["result"] == "notes written and edited"
    assert target.read_text() == "second\n"
    assert "overloaded" not in (run.result.get("result") or "").lower()
    assert len(overloaded.model_requests()) == 1  # then it cools: no more requests there
    first = gateway.status()["tiers"][0]
    assert (first["state"], first["reason"]) == ("cooling", "overloaded")
    served = gateway.journal("SELECT tier, status, attempts FROM requests ORDER BY id", 3)
    assert served[0] == ("backup", 200, "claude:529:overloaded")
    assert [row[:2] for row in served] == [("backup", 200)] * 3


def png(width: int = 8, height: int = 8) -> bytes:
    """A small valid red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_an_image_read_mid_loop_goes_past_a_text_only_tier_to_one_that_sees(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic
) -> None:
    picture = repo / "shot.png"
    picture.write_bytes(png())
    claude.push(rate_limited(2_000_000_000))
    with FakeOpenAI() as local, FakeGemini(api_key="g-key") as gemini:
        local.push(tool("Read", file_path=str(picture)))
        gemini.push(Reply(text="a red square"))
        gateway = gateway_factory(
            {
                "tiers": [
                    {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
                    {
                        "name": "local",
                        "provider": "openai",
                        "base_url": f"{local.base_url}/v1",
                        "models": {"default": "qwen2.5-coder:7b"},
                    },
                    {
                        "name": "gemini",
                        "provider": "gemini",
                        "base_url": gemini.base_url,
                        "api_key": "g-key",
                        "models": {"default": "gemini-2.5-flash"},
                    },
                ]
            }
        )

        run = run_claude(repo, gateway.url, "what is in shot.png?")

        assert run.returncode == 0, run.stderr
        assert run.result["result"] == "a red square"
        assert len(local.model_requests()) == 1  # the first turn: no image yet
        [seen] = gemini.model_requests()
        assert '"inlineData"' in seen.body.decode() and "image/png" in seen.body.decode()
    rows = gateway.journal("SELECT tier, attempts FROM requests ORDER BY id", 2)
    assert rows[-1] == ("gemini", "local:skipped:vision")
    assert gateway.status()["tiers"][1]["state"] == "ready"


def small_tier(fake: FakeOpenAI, window: int) -> dict[str, Any]:
    return {
        "name": "small",
        "provider": "openai",
        "base_url": f"{fake.base_url}/v1",
        "models": {"default": "qwen2.5-coder:7b"},
        "context_window": window,
    }


def test_a_small_window_is_skipped_and_with_no_room_anywhere_the_prompt_is_too_long(
    repo: Path, gateway_factory: Any, claude: FakeAnthropic
) -> None:
    claude.push(Reply(text="served by the big window"))
    with FakeOpenAI() as small:
        big = {"name": "claude", "provider": "anthropic", "base_url": claude.base_url}
        gateway = gateway_factory({"tiers": [small_tier(small, 4_096), big]})
        run = run_claude(repo, gateway.url, "say hi")
        assert run.returncode == 0, run.stderr
        assert run.result["result"] == "served by the big window"
        assert small.model_requests() == []
        [(attempts,)] = gateway.journal("SELECT attempts FROM requests")
        assert attempts == "small:skipped:context"

        gateway.process.terminate()
        gateway.process.wait(10)
        alone = gateway_factory({"tiers": [small_tier(small, 4_096)]})
        run = run_claude(repo, alone.url, "say hi", timeout=90)
        assert small.model_requests() == []
        assert run.result["terminal_reason"] == "prompt_too_long"  # Claude Code understood
        assert run.result["result"].startswith("Prompt is too long")
        assert "(limit 4096)" in run.result["result"]
        rows = alone.journal("SELECT status, error_type, notes FROM requests WHERE id > 1")
        assert rows and all(row[:2] == (400, "invalid_request_error") for row in rows)
        assert "> 4096 maximum" in rows[0][2]
