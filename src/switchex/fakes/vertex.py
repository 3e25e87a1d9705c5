"""A fake of Claude on Vertex AI (rawPredict / streamRawPredict) and of Google's token endpoint.

Strict where the real service is: the Bearer token must be one this fake issued and not
expired, the URL must name `projects/{project}/locations/{region}/publishers/anthropic/
models/{model}:rawPredict|streamRawPredict`, the body must carry `anthropic_version:
vertex-2023-10-16` and no `model`, and the rest must pass the fake Anthropic API's checks.
`POST /token` answers OAuth2 refresh-token and service-account JWT grants, so google-auth's
real refresh path can be pointed at it (`token_uri`). A scripted 429 answers Google's
`RESOURCE_EXHAUSTED`.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace

import orjson
from aiohttp import web

from switchex.fakes.anthropic import (
    ECHO,
    error_json,
    last_user_text,
    message_for,
    stream_events,
    validate_request,
)
from switchex.fakes.base import (
    FakeServer,
    Json,
    Reply,
    hold,
    json_response,
    send_events,
    start_stream,
)

VERSION = "vertex-2023-10-16"
_ACTIONS = {"rawPredict": False, "streamRawPredict": True}


# Fields the clouds reject unless their beta is named in `anthropic_beta`.
FIELD_BETAS = {
    "context_management": "context-management-2025-06-27",
    "output_config": "effort-2025-11-24",
}


def beta_problem(body: Json) -> str | None:
    """What a cloud says about `anthropic_beta` (a list of strings) and the fields it gates."""
    betas = body.get("anthropic_beta", [])
    if not isinstance(betas, list) or not all(isinstance(b, str) for b in betas):
        return "anthropic_beta: Input should be a valid list of strings"
    for name, beta in FIELD_BETAS.items():
        if name in body and beta not in betas:
            return f"{name}: Extra inputs are not permitted (needs the {beta} beta)"
    return None


def google_error(code: int, status: str, message: str) -> Json:
    return {"error": {"code": code, "message": message, "status": status}}


_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _grant_ok(grant: object, refresh_token: object, assertion: object) -> bool:
    """A user's refresh-token grant, or a service account's signed JWT (three parts)."""
    if grant == "refresh_token":
        return bool(refresh_token)
    return grant == _JWT_BEARER and isinstance(assertion, str) and assertion.count(".") == 2


class FakeVertex(FakeServer):
    """Claude on Vertex AI for one project and region; issues its own access tokens."""

    name = "vertex"

    def __init__(
        self,
        default: Reply | None = None,
        project: str = "test-project",
        region: str = "us-east5",
        token_lifetime: int = 3600,
    ) -> None:
        super().__init__(default)
        self.project = project
        self.region = region
        self.token_lifetime = token_lifetime
        self.tokens: dict[str, float] = {}  # token -> expiry (epoch s)
        self.token_requests = 0

    def is_model_path(self, path: str) -> bool:
        return "/publishers/anthropic/models/" in path

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/token", self.token)
        app.router.add_post(
            "/v1/projects/{project}/locations/{region}/publishers/anthropic/models/{call}",
            self.predict,
        )

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.token_requests += 1
        if not _grant_ok(form.get("grant_type"), form.get("refresh_token"), form.get("assertion")):
            return json_response(400, {"error": "invalid_grant", "error_description": "bad grant"})
        token = "ya29.fake-" + secrets.token_urlsafe(16)
        self.tokens[token] = time.time() + self.token_lifetime
        body = {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        return json_response(200, body)

    def _denied(self, request: web.Request) -> web.Response | None:
        given = request.headers.get("authorization", "")
        token = given.removeprefix("Bearer ") if given.startswith("Bearer ") else ""
        if self.tokens.get(token, 0) > time.time():
            return None
        message = "Request had invalid authentication credentials. Expected OAuth 2 access token."
        return json_response(401, google_error(401, "UNAUTHENTICATED", message))

    def _bad_url(self, request: web.Request) -> tuple[str, bool] | web.Response:
        info = request.match_info
        model, _, action = info["call"].rpartition(":")
        if (info["project"], info["region"]) != (self.project, self.region):
            where = f"projects/{info['project']}/locations/{info['region']}"
            return json_response(404, google_error(404, "NOT_FOUND", f"{where} not found"))
        if action not in _ACTIONS or not model:
            return json_response(404, google_error(404, "NOT_FOUND", f"no method {action!r}"))
        return model, _ACTIONS[action]

    def _problem(self, body: object, streaming: bool) -> str | None:
        if not isinstance(body, dict):
            return "body: Input should be an object"
        if "model" in body:
            return "model: Extra inputs are not permitted"
        if body.get("anthropic_version") != VERSION:
            return f"anthropic_version: must be {VERSION!r}"
        problem = beta_problem(body)
        if problem:
            return problem
        if bool(body.get("stream")) != streaming:
            return "stream: streamRawPredict needs stream: true, rawPredict stream: false"
        rest = {k: v for k, v in body.items() if k not in ("anthropic_version", "anthropic_beta")}
        return validate_request(rest)

    async def predict(self, request: web.Request) -> web.StreamResponse:
        received = await self.record(request)
        denied = self._denied(request)
        if denied:
            return denied
        where = self._bad_url(request)
        if isinstance(where, web.Response):
            return where
        model, streaming = where
        try:
            body = received.json()
        except orjson.JSONDecodeError:
            return json_response(400, error_json(400, "There was an error parsing the body"))
        problem = self._problem(body, streaming)
        if problem:
            return json_response(400, error_json(400, problem))
        return await self._answer(request, body, model, streaming)

    async def _answer(
        self, request: web.Request, body: Json, model: str, streaming: bool
    ) -> web.StreamResponse:
        reply = self.next_reply()
        await hold(reply)
        if reply.status == 429:
            quota = "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests"
            payload = reply.error_body or orjson.dumps(
                google_error(429, "RESOURCE_EXHAUSTED", quota)
            )
            return web.Response(
                status=429, body=payload, content_type="application/json", headers=reply.headers
            )
        if reply.status != 200:
            payload = reply.error_body or orjson.dumps(
                error_json(reply.status, reply.error_message)
            )
            return web.Response(status=reply.status, body=payload, content_type="application/json")
        if reply.text == ECHO:
            reply = replace(reply, text=last_user_text(body))
        message = message_for(reply, model)
        if not streaming:
            return json_response(200, message, reply.headers)
        response = await start_stream(request, reply.headers)
        return await send_events(response, stream_events(message), reply, self)
