"""Tracking only where the user allowed it: init, `tracking.repos`, `up --repo`."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

import switchex.tracker.git as git_runner
from switchex.config import parse_config
from switchex.fakes.anthropic import FakeAnthropic
from switchex.runtime import TrackingObserver, build_app
from switchex.tracker.enabled import EnabledRepos, read_tracked, repo_top, set_tracked
from tests.client import post
from tests.helpers import GatewayServer, make_config

from .helpers import git, make_repo, write


def test_init_list_is_written_0600_and_reread(tmp_path: Path, repo: Path) -> None:
    state = tmp_path / "state"
    enabled = EnabledRepos(state)
    assert enabled.match(repo / "src") is None

    assert set_tracked(state, repo, True)
    assert not set_tracked(state, repo, True)

    assert stat.S_IMODE((state / "tracked.json").stat().st_mode) == 0o600
    assert read_tracked(state) == [str(repo.resolve())]
    assert enabled.match(repo / "src") == repo.resolve()
    set_tracked(state, repo, False)
    assert enabled.match(repo) is None


def test_globs_with_tilde_and_explicit_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    one = make_repo(tmp_path / "code" / "one")
    two = make_repo(tmp_path / "other" / "two")
    enabled = EnabledRepos(None, ["~/code/*"], [two])
    assert enabled.match(one / "src" / "app.py") == one.resolve()
    assert enabled.match(two) == two.resolve()
    assert EnabledRepos(None, ["~/code/*"]).match(two) is None


def test_nested_repository_is_its_own(tmp_path: Path, repo: Path) -> None:
    inner = make_repo(repo / "vendor" / "lib")
    enabled = EnabledRepos(None, extra=[repo])
    assert repo_top(inner / "src") == inner.resolve()
    assert enabled.match(inner / "src") is None
    assert enabled.match(repo / "src") == repo.resolve()


def _request(cwd: Path) -> dict[str, Any]:
    line = f"Primary working directory: {cwd}\nIs a git repository: true"
    return {"model": "m", "messages": [{"role": "system", "content": line}]}


@pytest.fixture
def git_cwds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every git the tracker starts logs its working directory to the returned file."""
    log = tmp_path / "git-cwds"
    wrapper = tmp_path / "git-wrapper"
    wrapper.write_text(f'#!/bin/sh\npwd >> "{log}"\nexec git "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(git_runner, "GIT", (str(wrapper),))
    return log


def _observer(tmp_path: Path, state: Path, repos: list[str]) -> TrackingObserver:
    data = {"tiers": [{"name": "claude", "provider": "anthropic"}], "tracking": {"repos": repos}}
    app = build_app(parse_config(data, {}, "test"), state)
    observer = app.gateway.observer
    assert isinstance(observer, TrackingObserver) and observer.tracker is not None
    return observer


def test_request_naming_a_repo_not_enabled_never_runs_git_there(
    tmp_path: Path, git_cwds: Path
) -> None:
    other = make_repo(tmp_path / "other")
    mine = make_repo(tmp_path / "mine")
    globbed = make_repo(tmp_path / "globbed")
    state = tmp_path / "state"
    set_tracked(state, mine, True)
    observer = _observer(tmp_path, state, [str(tmp_path / "glob*")])
    for path in (other, mine, globbed):
        write(path, "new.txt", "x\n")

    observer.boundary("s1", _request(other), "")
    observer.boundary("s2", _request(mine / "src"), "")
    observer.boundary("s3", _request(globbed), "")
    observer.hook("SessionStart", {"session_id": "s4", "cwd": str(other)})
    observer.hook("UserPromptSubmit", {"session_id": "s5", "cwd": str(other / "src")})
    observer.hook("Stop", {"session_id": "s6", "cwd": str(other)})
    assert observer.tracker is not None and observer.tracker.flush(30)
    observer.close()

    assert git(other, "for-each-ref", "refs/switchex") == ""
    assert git(mine, "for-each-ref", "refs/switchex") != ""
    assert git(globbed, "for-each-ref", "refs/switchex") != ""
    cwds = {Path(line).resolve() for line in git_cwds.read_text().splitlines()}
    assert not any(c == other.resolve() or other.resolve() in c.parents for c in cwds)
    assert mine.resolve() in cwds


def test_gateway_repo_option_enables_that_repo(tmp_path: Path) -> None:
    mine = make_repo(tmp_path / "mine")
    data = {"tiers": [{"name": "claude", "provider": "anthropic"}]}
    app = build_app(parse_config(data, {}, "test"), tmp_path / "state", default_repo=mine)
    observer = app.gateway.observer
    assert isinstance(observer, TrackingObserver) and observer.tracker is not None
    write(mine, "new.txt", "x\n")
    observer.boundary("s", {"model": "m", "messages": []}, "")
    assert observer.tracker.flush(30)
    observer.close()
    assert os.path.exists(mine / ".git" / "refs" / "switchex" / "snapshots" / "main")


def test_gateway_serves_a_request_for_another_repo_without_touching_it(
    tmp_path: Path, git_cwds: Path, claude: FakeAnthropic
) -> None:
    marker = tmp_path / "marker"
    other = make_repo(tmp_path / "other")
    git(other, "config", "core.fsmonitor", f"touch {marker}; false")
    (other / ".git" / "hooks" / "reference-transaction").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (other / ".git" / "hooks" / "reference-transaction").chmod(0o755)
    mine = make_repo(tmp_path / "mine")
    state = tmp_path / "state"
    set_tracked(state, mine, True)
    config = make_config([{"name": "t1", "provider": "anthropic", "base_url": claude.base_url}])
    app = build_app(config, state)
    server = GatewayServer(app).start()
    try:
        for repo in (other, mine):
            write(repo, "new.txt", "x\n")
            body = {
                "model": "claude-sonnet-4-5",
                "max_tokens": 9,
                "system": f"Primary working directory: {repo}\nIs a git repository: true",
                "messages": [{"role": "user", "content": "hi"}],
            }
            headers = {"x-claude-code-session-id": f"session-{repo.name}"}
            assert post(f"{server.url}/v1/messages", body, headers).status == 200
        observer = app.gateway.observer
        assert isinstance(observer, TrackingObserver) and observer.tracker is not None
        assert observer.tracker.flush(30)
    finally:
        server.stop()

    assert git(other, "for-each-ref", "refs/switchex") == ""
    assert git(mine, "for-each-ref", "refs/switchex") != ""
    assert not marker.exists()
    cwds = {Path(line).resolve() for line in git_cwds.read_text().splitlines()}
    assert other.resolve() not in cwds and mine.resolve() in cwds
