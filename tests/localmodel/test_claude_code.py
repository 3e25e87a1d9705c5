"""The real Claude Code CLI, Claude rate-limited, the real local model as the last tier.

Claude Code's first request (system prompt + a dozen tool schemas) is far larger than the
model's 8192-token window, so switchex answers Anthropic's `prompt is too long`, Claude Code
shows it and exits; nothing hangs, and `switchex status` says why the session stopped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from switchex.fakes.anthropic import FakeAnthropic
from tests.e2e.conftest import make_project, rate_limited, run_claude, start_gateway
from tests.localmodel.server import LlamaServer, local_tier

pytestmark = pytest.mark.e2e


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def status_text(url: str) -> str:
    shown = subprocess.run(
        [sys.executable, "-m", "switchex", "status"],
        env={**os.environ, "SWITCHEX_URL": url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def test_a_prompt_over_the_window_is_anthropics_prompt_too_long(
    tmp_path: Path, repo: Path, claude: FakeAnthropic, llama_server: LlamaServer
) -> None:
    reset = int(time.time()) + 3600
    claude.default = rate_limited(reset)
    config = {
        "tiers": [
            {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
            local_tier(llama_server, max_output_tokens=1024),
        ]
    }
    gateway = start_gateway(tmp_path, config)
    try:
        started = time.monotonic()
        run = run_claude(repo, gateway.url, "say hello", timeout=180)
        took = time.monotonic() - started

        assert run.returncode == 1, (run.result, run.stderr)
        assert run.result["terminal_reason"] == "prompt_too_long", str(run.result)[:1500]
        assert run.result["result"].startswith("Prompt is too long"), run.result
        assert run.result["api_error_status"] == 400
        assert took < 150
        assert len(claude.model_requests()) == 1  # cooling until its reset: asked once
        assert [row[0] for row in gateway.journal("SELECT status FROM requests")] == [400]
        text = status_text(gateway.url)
        assert "cooling" in text and "rate_limit" in text, text
        assert "too long" in text.lower(), text  # why the local tier did not answer
    finally:
        gateway.process.terminate()
        gateway.process.wait(10)
    assert llama_server.process.poll() is None, "the model server died"
