from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.client import get, message, post
from tests.helpers import free_port


def test_demo_fails_over_to_the_fake_local_model_and_comes_back(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "switchex",
            "demo",
            "--port",
            str(port),
            "--limit-after",
            "2",
            "--reset",
            "2",
            "--state-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if get(f"{url}/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        tiers = [
            post(f"{url}/v1/messages", message(stream=True)).headers["x-switchex-tier"]
            for _ in range(4)
        ]
        assert tiers == ["claude", "claude", "local", "local"]
        status = get(f"{url}/status").json()
        assert status["active"] == "local" and status["tiers"][0]["state"] == "cooling"
        time.sleep(2.2)
        back = post(f"{url}/v1/messages", message())
        assert back.headers["x-switchex-tier"] == "claude"
        assert "Fake Claude is back" in back.json()["content"][0]["text"]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=15)
    assert "switchex demo on" in output
    assert "switch claude -> local (rate_limit" in output
