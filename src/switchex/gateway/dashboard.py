"""The dashboard: `GET /` (one page, no build step, no external assets) and its `/api/...`.

Read-only GETs query the journal in a worker thread. The review actions (`POST
/api/review`) take `application/json` only, with the page's CSRF token (an HMAC of a fresh
nonce under this gateway's secret, so any page served by this gateway can act and nothing
else can), run only in repositories the tracker snapshotted, and call the review package's
public functions in a worker thread — the same code as `switchex review`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import secrets
import sqlite3
import time
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson

from switchex.errors import RequestError, SwitchexError
from switchex.gateway import asgi, dashboard_data
from switchex.gateway.context import Gateway
from switchex.gateway.status import status_json

STATIC = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
SECURITY = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}


def _asset(name: str) -> bytes:
    return resources.files("switchex.gateway").joinpath("static", name).read_bytes()


def new_token(secret: bytes) -> str:
    nonce = secrets.token_urlsafe(16)
    mac = hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{nonce}.{mac}"


def valid_token(secret: bytes, token: str) -> bool:
    nonce, _, mac = token.partition(".")
    expected = hmac.new(secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]
    return bool(nonce) and hmac.compare_digest(mac, expected)


def _page(gateway: Gateway) -> bytes:
    """The page with its CSRF token, and the home directory (paths under it show as ~)."""
    home = html.escape(str(Path.home()), quote=True).encode()
    page = _asset("index.html").replace(b"{{home}}", home)
    return page.replace(b"{{csrf}}", new_token(gateway.view.secret).encode())


async def serve(
    gateway: Gateway,
    method: str,
    path: str,
    scope: asgi.Scope,
    receive: asgi.Receive,
    send: asgi.Send,
) -> None:
    """Every dashboard route; anything else under `/api/` is a 404."""
    try:
        if method == "POST" and path == "/api/review":
            await _review_action(gateway, scope, receive, send)
        elif method != "GET":
            raise RequestError(f"{method} {path}: the dashboard answers GET only here", 405)
        elif path == "/":
            await asgi.respond(send, 200, _page(gateway), "text/html; charset=utf-8", SECURITY)
        elif path.startswith("/static/") and path.removeprefix("/static/") in STATIC:
            name = path.removeprefix("/static/")
            await asgi.respond(send, 200, _asset(name), STATIC[name], SECURITY)
        else:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            await asgi.respond(
                send, 200, orjson.dumps(await _api(gateway, path, query)), headers=SECURITY
            )
    except RequestError as error:
        await asgi.respond_error(send, error)
    except (SwitchexError, sqlite3.Error) as error:
        await asgi.respond_error(send, RequestError(str(error), 409))


async def _api(gateway: Gateway, path: str, query: dict[str, str]) -> Any:
    journal = gateway.journal.path if gateway.journal else None
    if path == "/api/status":
        return status_json(gateway)
    if path == "/api/requests":
        if journal is None:
            return dashboard_data.filter_rows(list(gateway.view.recent), query)
        return await asyncio.to_thread(dashboard_data.requests, journal, query)
    if journal is None:
        return _memory_only(gateway, path)
    if path == "/api/models":
        return await asyncio.to_thread(dashboard_data.models, journal)
    if path == "/api/switches":
        return await asyncio.to_thread(dashboard_data.switches, journal)
    if path == "/api/repos":
        return await asyncio.to_thread(_repos, journal)
    if path == "/api/review":
        return await asyncio.to_thread(_analysis, journal, await _tracked(gateway, journal, query))
    if path == "/api/diff":
        repo = await _tracked(gateway, journal, query)
        return await asyncio.to_thread(_diff, repo, query.get("model", ""))
    raise RequestError(f"GET {path} is not an endpoint of switchex", 404)


def _memory_only(gateway: Gateway, path: str) -> Any:
    if path == "/api/switches":
        return status_json(gateway)["switches"]
    if path in ("/api/models", "/api/repos"):
        return []
    raise RequestError(f"{path}: needs the journal (this gateway keeps none)", 404)


def _repos(journal: Path) -> list[dict[str, Any]]:
    return [
        {"repo": repo, "snapshots": dashboard_data.snapshots(journal, repo)}
        for repo in dashboard_data.tracked_repos(journal)
    ]


async def _tracked(gateway: Gateway, journal: Path, query: dict[str, str]) -> Path:
    """The `repo` asked for, if the tracker snapshotted it and it is still enabled for
    tracking (`switchex init`, `tracking.repos`, `up --repo`); git runs nowhere else."""
    repo = query.get("repo", "")
    known = repo in await asyncio.to_thread(dashboard_data.tracked_repos, journal)
    if not known or await asyncio.to_thread(gateway.repo_allowed, repo) is None:
        raise RequestError(f"repo: {repo!r} is not a repository switchex tracks", 404)
    return Path(repo)


def _analysis(journal: Path, repo: Path) -> Any:
    from switchex.journal.usage import usage_by_model
    from switchex.review import render
    from switchex.review.analyze import ModelUsage, analyze

    usage = {
        model: ModelUsage(u.requests, u.input_tokens, u.output_tokens, u.cost)
        for model, u in usage_by_model(journal, repo).items()
    }
    return render.analysis_json(analyze(repo, usage))


def _diff(repo: Path, model: str) -> Any:
    from switchex.review import render
    from switchex.review.analyze import pending_diff

    return render.diff_json(model, pending_diff(repo, model))


async def _review_action(
    gateway: Gateway, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send
) -> None:
    headers = asgi.request_headers(scope)
    if headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise RequestError("the review actions take application/json only", 415)
    if not valid_token(gateway.view.secret, headers.get("x-switchex-csrf", "")):
        raise RequestError("missing or invalid x-switchex-csrf token; reload the page", 403)
    if gateway.journal is None or gateway.journal.path is None:
        raise RequestError("review from the page needs the local SQLite journal", 404)
    try:
        body = orjson.loads(await asgi.read_body(receive, 64 * 1024))
    except (orjson.JSONDecodeError, asgi.ClientGone):
        raise RequestError("the body must be a JSON object") from None
    if not isinstance(body, dict) or body.get("action") not in ("accept", "rollback", "undo"):
        raise RequestError("action: one of accept, rollback, undo")
    repo = await _tracked(gateway, gateway.journal.path, {"repo": str(body.get("repo", ""))})
    model, dry_run = str(body.get("model") or ""), body.get("dry_run") is not False
    outcome = await asyncio.to_thread(_act, str(body["action"]), repo, model, dry_run)
    if outcome["written"] and not dry_run:
        gateway.journal.record(
            "reviews",
            {
                "time": time.time(),
                "repo": str(repo),
                "model": model or "-",
                "action": body["action"],
                "detail": orjson.dumps(
                    {"files": len(outcome["changes"]), "from": "dashboard"}
                ).decode(),
            },
        )
        gateway.view.events.publish("review", {"repo": str(repo), "action": body["action"]})
    await asgi.respond(
        send, 409 if outcome["blocked"] else 200, orjson.dumps(outcome), headers=SECURITY
    )


def _act(action: str, repo: Path, model: str, dry_run: bool) -> Any:
    """The same calls as `switchex review --accept/--rollback/--undo` (never --allow-conflicts)."""
    from switchex.review import render
    from switchex.review.accept import accept
    from switchex.review.rollback import rollback
    from switchex.review.undo import undo

    if action == "accept":
        outcome = accept(repo, model, dry_run=dry_run)
    elif action == "rollback":
        outcome = rollback(repo, model, dry_run=dry_run)
    else:
        outcome = undo(repo, dry_run=dry_run)
    return render.outcome_json(outcome)
