"""The dashboard's page and API without a browser: assets, CSRF, refusals."""

from __future__ import annotations

import http.client
import json
import re
import time
from pathlib import Path
from urllib.parse import urlparse

from switchex.fakes.anthropic import FakeAnthropic
from tests.client import get, message, post
from tests.gateway.conftest import MakeGateway


def review_post(url: str, body: object, headers: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.request("POST", "/api/review", json.dumps(body).encode(), headers)
    response = connection.getresponse()
    data = json.loads(response.read())
    connection.close()
    return response.status, data


def test_page_and_assets_are_served_from_the_package_with_a_csp(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude)
    page = get(f"{gateway.url}/")
    assert page.status == 200 and b"/static/app.js" in page.body
    assert b"http" not in page.body.replace(b"http-equiv", b"")  # no external assets
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("app.js", "app.css"):
        assert get(f"{gateway.url}/static/{asset}").status == 200
    assert get(f"{gateway.url}/static/../dashboard.py").status == 404


def test_review_actions_need_json_and_the_pages_token(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude)
    token = re.search(rb'name="csrf" content="([^"]+)"', get(f"{gateway.url}/").body)
    assert token is not None
    body = {"action": "undo", "repo": "/etc"}
    status, _ = review_post(gateway.url, body, {"content-type": "text/plain"})
    assert status == 415
    status, data = review_post(gateway.url, body, {"content-type": "application/json"})
    assert status == 403 and "csrf" in data["error"]["message"]
    forged = {"content-type": "application/json", "x-switchex-csrf": "abc.def"}
    assert review_post(gateway.url, body, forged)[0] == 403
    good = {"content-type": "application/json", "x-switchex-csrf": token.group(1).decode()}
    status, data = review_post(gateway.url, body, good)
    assert status == 404 and "not a repository switchex tracks" in data["error"]["message"]


def test_requests_api_filters_and_keeps_unknown_cost_null(
    claude: FakeAnthropic, make_gateway: MakeGateway
) -> None:
    gateway = make_gateway(claude)
    post(f"{gateway.url}/v1/messages", message())
    post(f"{gateway.url}/v1/messages", message(model="some-unknown-model"))
    assert gateway.gateway.journal is not None
    deadline = time.monotonic() + 5
    while True:  # the row is written just after the answer left: wait for it, bounded
        gateway.gateway.journal.flush()
        rows = json.loads(get(f"{gateway.url}/api/requests").body)
        if len(rows) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert [r["served_model"] for r in rows] == ["some-unknown-model", "claude-sonnet-4-5"]
    assert rows[0]["cost"] is None and rows[1]["cost"] > 0
    only = json.loads(get(f"{gateway.url}/api/requests?served_model=claude-sonnet-4-5").body)
    assert [r["served_model"] for r in only] == ["claude-sonnet-4-5"]
    models = json.loads(get(f"{gateway.url}/api/models").body)
    assert {m["model"]: m["cost"] is None for m in models} == {
        "claude-sonnet-4-5": False,
        "some-unknown-model": True,
    }


def test_review_actions_run_only_in_repositories_still_enabled_for_tracking(
    claude: FakeAnthropic, make_gateway: MakeGateway, tmp_path: Path
) -> None:
    gateway = make_gateway(claude)
    journal = gateway.gateway.journal
    assert journal is not None
    repo = tmp_path / "once-tracked"
    repo.mkdir()
    snapshot = {"time": 1.0, "repo": str(repo), "ref": "r", "commit_id": "c", "kind": "ai"}
    journal.record("snapshots", {**snapshot, "model": "m", "tier": "t", "session": "s"})
    assert journal.flush()
    token = re.search(rb'name="csrf" content="([^"]+)"', get(f"{gateway.url}/").body)
    assert token is not None
    headers = {"content-type": "application/json", "x-switchex-csrf": token.group(1).decode()}
    body = {"action": "undo", "repo": str(repo)}
    status, data = review_post(gateway.url, body, headers)
    assert status == 404 and "not a repository switchex tracks" in data["error"]["message"]
