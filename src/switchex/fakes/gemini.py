"""A fake Gemini (Generative Language API v1beta), as strict as the real one.

Routes: `POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent` (`?alt=sse`
→ SSE `data:` lines; without it, a JSON array, as Google sends), `GET /v1beta/models`.
With `api_key=`, requests need it in `x-goog-api-key` (or `?key=`): none → 403
PERMISSION_DENIED, a wrong one → 400 API_KEY_INVALID, as the real API answers. Bodies go
through `validate_request`; for `gemini-3*` models every replayed thoughtSignature must be
one this fake issued or Google's dummy. Replies render as: thinking → a `thought: true` part,
text → text parts (streamed in three chunks), tool calls → functionCall parts (the first
signed on gemini-3 models). `Reply.stop_reason`: `max_tokens` → MAX_TOKENS, `refusal` →
SAFETY, `PROMPT_BLOCKED` → no candidates and promptFeedback.blockReason SAFETY, any other
upper-case value is sent as the finishReason, else STOP. Errors are Google-shaped; a 429
carries a RetryInfo detail whose delay is the reply's `retry-after` header (default 30s).
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web

from switchex.fakes.base import FakeServer, Reply, hold, json_response, send_events, start_stream
from switchex.fakes.counters import gemini_count
from switchex.fakes.gemini_validate import validate_request

__all__ = ["FakeGemini", "validate_request"]

Json = dict[str, Any]

DUMMY_SIGNATURE = "skip_thought_signature_validator"
MODELS = ("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview")
_MODEL_NAME = re.compile(r"^(gemini|gemma)-[a-z0-9.-]+$")
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_FINISH = {"max_tokens": "MAX_TOKENS", "refusal": "SAFETY"}
_GARBAGE = b"<html><body>502 Bad Gateway (not a Gemini answer)</body></html>\n"


def google_error(status: int, message: str, details: list[Json] | None = None) -> Json:
    error: Json = {"code": status, "message": message, "status": _STATUS_NAMES.get(status, "")}
    if details:
        error["details"] = details
    return {"error": error}


def _error_response(status: int, message: str, details: list[Json] | None = None) -> web.Response:
    return json_response(status, google_error(status, message, details))


class FakeGemini(FakeServer):
    """Scriptable fake Gemini; see the module docstring."""

    name = "gemini"

    def __init__(self, default: Reply | None = None, api_key: str | None = None) -> None:
        super().__init__(default)
        self.api_key = api_key
        self.issued_signatures: set[str] = set()

    def is_model_path(self, path: str) -> bool:
        return path.endswith((":generateContent", ":streamGenerateContent"))

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1beta/models/{target}", self._generate)
        app.router.add_get("/v1beta/models", self._models)

    # -- handlers --------------------------------------------------------------------------
    async def _models(self, request: web.Request) -> web.Response:
        denied = self._auth(request)
        if denied:
            return denied
        models = [
            {
                "name": f"models/{name}",
                "displayName": name,
                "inputTokenLimit": 1048576,
                "outputTokenLimit": 65536,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
            }
            for name in MODELS
        ]
        return json_response(200, {"models": models})

    async def _generate(self, request: web.Request) -> web.StreamResponse:
        received = await self.record(request)
        model, _, action = request.match_info["target"].partition(":")
        if action == "countTokens" and _MODEL_NAME.match(model) and not self._auth(request):
            return gemini_count(received.body, model)
        refused = self._auth(request) or self._refusal(model, action, received.body)
        if refused:
            return refused
        reply = self.next_reply()
        await hold(reply)
        if reply.status != 200:
            return self._scripted_error(reply)
        streamed = action == "streamGenerateContent"
        if reply.garbage:
            return await self._garbage(request, streamed)
        chunks = self.render(reply, model)
        if not streamed:
            return json_response(200, merge_chunks(chunks))
        sse = request.query.get("alt") == "sse"
        return await send_events(
            await start_stream(request, {} if sse else {"content-type": "application/json"}),
            _sse_pieces(chunks) if sse else _array_pieces(chunks),
            reply,
        )

    def _auth(self, request: web.Request) -> web.Response | None:
        if self.api_key is None:
            return None
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if not key:
            return _error_response(
                403,
                "Method doesn't allow unregistered callers (callers without established "
                "identity). Please use API Key or other form of API consumer identity to call "
                "this API.",
            )
        if key != self.api_key:
            detail = {"@type": "type.googleapis.com/google.rpc.ErrorInfo"}
            detail |= {"reason": "API_KEY_INVALID", "domain": "googleapis.com"}
            return _error_response(400, "API key not valid. Please pass a valid API key.", [detail])
        return None

    def _refusal(self, model: str, action: str, body: bytes) -> web.Response | None:
        if action not in ("generateContent", "streamGenerateContent"):
            return _error_response(404, f"Method {action!r} not found.")
        if not _MODEL_NAME.match(model):
            return _error_response(
                404,
                f"models/{model} is not found for API version v1beta, or is not supported "
                "for generateContent.",
            )
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _error_response(400, "Invalid JSON payload received.")
        problem = validate_request(payload, model) or self._forged_signature(payload, model)
        return _error_response(400, problem) if problem else None

    def _forged_signature(self, payload: Json, model: str) -> str | None:
        if not model.startswith("gemini-3"):
            return None
        for content in payload.get("contents", []):
            for part in content.get("parts", []):
                signature = part.get("thoughtSignature")
                known = signature in self.issued_signatures or signature == DUMMY_SIGNATURE
                if "functionCall" in part and signature and not known:
                    return "Corrupted thought signature."
        return None

    def _scripted_error(self, reply: Reply) -> web.Response:
        status = 503 if reply.status == 529 else reply.status
        if reply.error_body is not None:
            return web.Response(
                status=status,
                body=reply.error_body,
                headers=reply.headers,
                content_type="application/json",
            )
        details = None
        if status == 429:
            delay = reply.headers.get("retry-after", "30")
            details = [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{delay}s"}
            ]
        body = google_error(status, reply.error_message, details)
        return json_response(status, body, headers=dict(reply.headers))

    async def _garbage(self, request: web.Request, streamed: bool) -> web.StreamResponse:
        if not streamed:
            return web.Response(status=200, body=_GARBAGE, content_type="text/html")
        response = await start_stream(request, {})
        await response.write(_GARBAGE)
        await response.write_eof()
        return response

    # -- rendering -------------------------------------------------------------------------
    def render(self, reply: Reply, model: str) -> list[Json]:
        """The stream chunks (GenerateContentResponse objects) that answer `reply`."""
        base: Json = {"modelVersion": model, "responseId": secrets.token_urlsafe(12)}
        if reply.stop_reason == "PROMPT_BLOCKED":
            return [
                {
                    **base,
                    "promptFeedback": {"blockReason": "SAFETY"},
                    "usageMetadata": _usage(reply, True),
                }
            ]
        pieces = _pieces(reply, self._signer(model))
        chunks = [
            {**base, "candidates": [_candidate(parts)], "usageMetadata": _usage(reply, False)}
            for parts in pieces
        ]
        chunks[-1]["candidates"][0]["finishReason"] = _finish(reply.stop_reason)
        chunks[-1]["usageMetadata"] = _usage(reply, True)
        return chunks

    def _signer(self, model: str) -> Callable[[], str | None]:
        def sign() -> str | None:
            if not model.startswith("gemini-3"):
                return None
            signature = base64.b64encode(secrets.token_bytes(40)).decode()
            self.issued_signatures.add(signature)
            return signature

        return sign


def _pieces(reply: Reply, sign: Callable[[], str | None]) -> list[list[Json]]:
    pieces: list[list[Json]] = []
    if reply.thinking:
        pieces.append([{"text": reply.thinking, "thought": True}])
    if reply.text:
        step = max(1, -(-len(reply.text) // 3))
        pieces.extend([{"text": reply.text[i : i + step]}] for i in range(0, len(reply.text), step))
    calls: list[Json] = []
    for index, call in enumerate(reply.tool_calls):
        part: Json = {"functionCall": {"name": call.name, "args": call.input}}
        signature = sign() if index == 0 else None
        if signature:
            part["thoughtSignature"] = signature
        calls.append(part)
    if calls:
        pieces.append(calls)
    return pieces or [[{"text": ""}]]


def _candidate(parts: list[Json]) -> Json:
    return {"content": {"role": "model", "parts": parts}, "index": 0}


def _finish(stop_reason: str | None) -> str:
    if stop_reason in _FINISH:
        return _FINISH[stop_reason]
    if stop_reason and stop_reason.isupper():
        return stop_reason
    return "STOP"


def _usage(reply: Reply, final: bool) -> Json:
    output = reply.output_tokens if final else 0
    return {
        "promptTokenCount": reply.input_tokens,
        "candidatesTokenCount": output,
        "totalTokenCount": reply.input_tokens + output,
    }


def merge_chunks(chunks: list[Json]) -> Json:
    """The non-streaming answer: all chunks' parts in one candidate, the last chunk's rest."""
    merged = dict(chunks[-1])
    if "candidates" in merged:
        parts = [p for c in chunks for p in c["candidates"][0]["content"]["parts"]]
        candidate = {
            **merged["candidates"][0],
            "content": {"role": "model", "parts": _joined(parts)},
        }
        merged["candidates"] = [candidate]
    return merged


def _joined(parts: list[Json]) -> list[Json]:
    out: list[Json] = []
    for part in parts:
        same = (
            out
            and "text" in part
            and "text" in out[-1]
            and part.get("thought") == out[-1].get("thought")
        )
        if same:
            out[-1] = {**out[-1], "text": out[-1]["text"] + part["text"]}
        else:
            out.append(part)
    return out


def _sse_pieces(chunks: list[Json]) -> list[bytes]:
    return [b"data: " + orjson.dumps(chunk) + b"\r\n\r\n" for chunk in chunks]


def _array_pieces(chunks: list[Json]) -> list[bytes]:
    last = len(chunks) - 1
    return [
        (b"[" if i == 0 else b"") + orjson.dumps(c) + (b"]" if i == last else b",\r\n")
        for i, c in enumerate(chunks)
    ]
