"""The dashboard in real headless Chromium (Debian's `chromium`, driven by Playwright).

A scripted failover reaches the page over SSE within 2 s; the requests view shows the served
model and cost; a rollback from the page leaves the work tree exactly as the CLI's does; each
view is screenshotted (into $SWITCHEX_SCREENSHOTS when set, for the README).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, expect, sync_playwright

from switchex.cli.main import cli
from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import Reply, ToolCall
from switchex.runtime import build_app
from tests.client import message, post
from tests.helpers import GatewayServer, make_config

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    return done.stdout.decode()


def files(repo: Path) -> dict[str, str]:
    return {
        str(p.relative_to(repo)): p.read_text()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


class Story:
    """Claude writes a file, hits its limit, the local model edits another, over a real gateway."""

    def __init__(self, tmp_path: Path, claude: FakeAnthropic, local: FakeAnthropic) -> None:
        self.repo = Path.home() / "project"  # the test's HOME: shown as ~/project
        self.repo.mkdir()
        git(self.repo, "init", "-q")
        (self.repo / "README.md").write_text("hello\n")
        git(self.repo, "add", ".")
        git(self.repo, "commit", "-qm", "start")
        tiers = [
            {"name": "claude", "provider": "anthropic", "base_url": claude.base_url},
            {"name": "local", "provider": "anthropic", "base_url": local.base_url},
        ]
        app = build_app(make_config(tiers), tmp_path / "state", default_repo=self.repo)
        self.server = GatewayServer(app).start()
        self.claude, self.local = claude, local

    def ask(self, **headers: str) -> int:
        body = message("go", system=f"Primary working directory: {self.repo}")
        headers = {"x-claude-code-session-id": "session-1", **headers}
        return post(f"{self.server.url}/v1/messages", body, headers).status

    def flush(self) -> None:
        observer: Any = self.server.gateway.observer
        observer.tracker.flush(10)
        assert self.server.gateway.journal is not None
        self.server.gateway.journal.flush()


@pytest.fixture
def story(tmp_path: Path, claude: FakeAnthropic) -> Iterator[Story]:
    with FakeAnthropic(model="qwen-local-7b") as local:
        built = Story(tmp_path, claude, local)  # type: ignore[arg-type]
        yield built
        built.server.stop()


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    target = Path(os.environ.get("SWITCHEX_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"dashboard-{name}.png"), full_page=True)
    assert (target / f"dashboard-{name}.png").stat().st_size > 1000


def test_failover_requests_review_and_rollback_in_the_browser(
    browser: Browser, story: Story, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(story.server.url + "/")
    expect(page.locator("#live")).to_have_text("live", timeout=5000)

    write = ToolCall("Write", {"file_path": "notes.md", "content": "by claude"})
    story.claude.push(Reply(text="writing", tool_calls=[write]))
    assert story.ask() == 200
    (story.repo / "notes.md").write_text("by claude\n")  # what Claude Code's Write tool does
    story.claude.push(Reply(status=429, headers={"retry-after": "120"}))
    edit = ToolCall("Edit", {"file_path": "README.md"})
    story.local.push(Reply(text="editing", tool_calls=[edit]))
    assert story.ask() == 200  # claude cools; the local model serves
    expect(page.locator("#timeline")).to_contain_text("claude → local", timeout=2000)
    expect(page.locator("#tiers")).to_contain_text("cooling", timeout=2000)
    shoot(page, tmp_path, "chain")

    (story.repo / "README.md").write_text("hello\nedited by the local model\n")
    story.local.push(Reply(text="done"))
    assert story.ask() == 200
    story.flush()

    page.click("a[data-view=requests]")
    rows = page.locator("#requests tr")
    expect(rows.first).to_contain_text("qwen-local-7b")
    expect(rows.first).to_contain_text("unknown")  # a local model without `price:`
    expect(page.locator("#requests")).to_contain_text("claude-sonnet-4-5")
    expect(page.locator("#requests")).to_contain_text("$0.0")
    expect(rows.first).to_contain_text("~/project")
    shoot(page, tmp_path, "requests")

    page.click("a[data-view=models]")
    expect(page.locator("#models")).to_contain_text("qwen-local-7b")
    shoot(page, tmp_path, "models")
    page.click("a[data-view=repos]")
    expect(page.locator("#repos")).to_contain_text("qwen-local-7b: README.md")
    shoot(page, tmp_path, "repos")

    twin = tmp_path / "twin"
    shutil.copytree(story.repo, twin)
    page.click("a[data-view=review]")
    page.click("#analysis button[data-action=rollback][data-model='qwen-local-7b']")
    expect(page.locator("#preview")).to_contain_text("would change 1 file(s)")
    assert files(story.repo)["README.md"].endswith("edited by the local model\n")  # dry run
    shoot(page, tmp_path, "review")
    page.click("#confirm")
    expect(page.locator("#preview")).to_contain_text("did change 1 file(s)")

    result = CliRunner().invoke(cli, ["review", "--rollback", "qwen-local-7b", "--repo", str(twin)])
    assert result.exit_code == 0, result.output
    assert files(story.repo) == files(twin)
    assert files(story.repo)["README.md"] == "hello\n"
    assert git(story.repo, "status", "--porcelain") == git(twin, "status", "--porcelain")
