"""Strict fakes of the upstreams' own token counters.

    Gemini     POST /v1beta/models/{m}:countTokens  (served by FakeGemini through `count`)
    llama.cpp  POST /tokenize {"content": text}     → {"tokens": [...]}   (FakeLlamaCpp)
    vLLM       POST /tokenize {"prompt": text}      → {"count": n, ...}   (FakeVLLM)

Each behaves as the real server does where a gateway can tell: Gemini refuses a body with
both `contents` and `generateContentRequest`, an inner request whose `model` is not
`models/{m}`, and anything its generateContent would refuse; llama.cpp answers no tokens
when `content` is missing; vLLM answers 400 without `prompt` or `messages`. The fake
tokenizer counts words and punctuation marks (`TOKEN`), so a count is exact and checkable.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from aiohttp import web

from switchex.fakes.base import Json, json_response
from switchex.fakes.gemini_validate import validate_request
from switchex.fakes.openai import FakeOpenAI

TOKEN = re.compile(r"\w+|[^\w\s]")


def tokens(text: str) -> list[int]:
    """The fake tokenizer: one id per word or punctuation mark."""
    return [len(piece) for piece in TOKEN.findall(text)]


def _gemini_error(status: int, message: str) -> web.Response:
    names = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND"}
    error = {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}
    return json_response(status, {"error": error})


def _gemini_text(request: Json) -> str:
    texts: list[str] = []
    for content in [request.get("systemInstruction") or {}, *request.get("contents", [])]:
        for part in content.get("parts", []) if isinstance(content, dict) else []:
            if isinstance(part, dict):
                texts.append(str(part.get("text", "")))
                if "functionCall" in part or "functionResponse" in part:
                    call = part.get("functionCall") or part.get("functionResponse")
                    texts.append(orjson.dumps(call).decode())
    if request.get("tools"):
        texts.append(orjson.dumps(request["tools"]).decode())
    return "\n".join(texts)


def gemini_count(body: bytes, model: str) -> web.Response:
    """Gemini's `countTokens` for `model`, as strict as the real endpoint."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _gemini_error(400, "Invalid JSON payload received.")
    if not isinstance(payload, dict) or set(payload) - {"contents", "generateContentRequest"}:
        return _gemini_error(400, "Invalid JSON payload received. Unknown name at 'countTokens'.")
    if "contents" in payload and "generateContentRequest" in payload:
        return _gemini_error(400, "contents and generate_content_request cannot both be set.")
    inner = payload.get("generateContentRequest", {"contents": payload.get("contents")})
    if not isinstance(inner, dict):
        return _gemini_error(400, "Invalid JSON payload received.")
    inner = dict(inner)
    named = inner.pop("model", f"models/{model}" if "contents" in payload else None)
    if named != f"models/{model}":
        return _gemini_error(400, f"GenerateContentRequest.model: unexpected model name {named!r}")
    problem = validate_request(inner, model)
    if problem:
        return _gemini_error(400, problem)
    return json_response(200, {"totalTokens": len(tokens(_gemini_text(inner)))})


async def _body(request: web.Request) -> Any:
    try:
        return orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        return None


class FakeLlamaCpp(FakeOpenAI):
    """A llama.cpp server: chat completions plus `/tokenize`."""

    name = "llama.cpp"

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.router.add_post("/tokenize", self._tokenize)

    async def _tokenize(self, request: web.Request) -> web.Response:
        await self.record(request)
        body = await _body(request)
        if not isinstance(body, dict):
            return json_response(500, {"error": {"code": 500, "message": "invalid JSON"}})
        content = body.get("content")
        return json_response(200, {"tokens": tokens(content) if isinstance(content, str) else []})


class FakeVLLM(FakeOpenAI):
    """A vLLM server: chat completions plus `/tokenize`."""

    name = "vllm"

    def __init__(self, max_model_len: int = 32_768) -> None:
        super().__init__()
        self.max_model_len = max_model_len

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.router.add_post("/tokenize", self._tokenize)

    async def _tokenize(self, request: web.Request) -> web.Response:
        await self.record(request)
        body = await _body(request)
        prompt = body.get("prompt") if isinstance(body, dict) else None
        if not isinstance(prompt, str):
            error = {"object": "error", "type": "BadRequestError", "param": None, "code": 400}
            error["message"] = "1 validation error: prompt Field required"
            return json_response(400, error)
        ids = tokens(prompt)
        answer = {"count": len(ids), "max_model_len": self.max_model_len, "tokens": ids}
        return json_response(200, {**answer, "token_strs": None})
