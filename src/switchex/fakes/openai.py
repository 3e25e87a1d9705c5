"""A fake OpenAI-compatible chat-completions server, as strict as the real ones.

`POST /v1/chat/completions` (also `/chat/completions` and `/api/v1/chat/completions`, so
OpenRouter-style base URLs work) and `GET /v1/models`. Requests are checked by
`validate_request`, a pure function property tests use too; what real servers reject gets a
400 with an OpenAI-shaped error body. Replies render as completions or streams (reasoning
deltas, tool-call argument deltas split at arbitrary places, usage last, `data: [DONE]`).

    with FakeOpenAI(api_key="k") as fake:
        fake.push(Reply(tool_calls=[ToolCall("Bash", {"command": "ls"})]))
        ...  # point a tier at f"{fake.base_url}/v1"
        assert fake.bodies()[0]["model"] == "deepseek-chat"

Real servers' deviations (llama.cpp, text-only models, tool calls printed as text) are
options: `quirks`, `vision`, `Reply.tool_call_text` (see openai_quirks.py).
"""

from __future__ import annotations

import random
import secrets
import time
from typing import Any

import orjson
from aiohttp import web

from switchex.fakes import openai_quirks as quirky
from switchex.fakes.base import FakeServer, Reply, hold, json_response, send_events, start_stream
from switchex.fakes.openai_rules import validate_request

__all__ = ["FakeOpenAI", "openai_error", "validate_request"]

Json = dict[str, Any]

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions", "/api/v1/chat/completions")
MODEL_PATHS = ("/v1/models", "/models", "/api/v1/models")
_ERRORS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    402: ("insufficient_quota", "insufficient_quota"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}
_FINISH = {"end_turn": "stop", "max_tokens": "length", "tool_use": "tool_calls"}
_FINISH.update({"refusal": "content_filter", "stop_sequence": "stop"})


def openai_error(message: str, status: int = 400) -> Json:
    error_type, code = _ERRORS.get(status, ("server_error", None))
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


class FakeOpenAI(FakeServer):
    """Scriptable OpenAI-compatible upstream; `bodies()` gives the model requests it received."""

    name = "openai"

    def __init__(
        self,
        default: Reply | None = None,
        api_key: str | None = None,
        models: tuple[str, ...] = ("fake-model", "deepseek-chat", "deepseek-reasoner"),
        seed: int = 0,
        quirks: tuple[str, ...] = (),
        vision: bool = True,
        owned_by: str = "fake",
    ) -> None:
        super().__init__(default)
        self.api_key = api_key
        self.models = models
        self.quirks = quirks
        self.vision = vision
        self.owned_by = owned_by
        self._random = random.Random(seed)

    def is_model_path(self, path: str) -> bool:
        return path in CHAT_PATHS

    def bodies(self) -> list[Json]:
        """The JSON bodies of the chat-completions requests received, in order."""
        return [received.json() for received in self.model_requests()]

    def routes(self, app: web.Application) -> None:
        for path in CHAT_PATHS:
            app.router.add_post(path, self._chat)
        for path in MODEL_PATHS:
            app.router.add_get(path, self._models)

    async def _models(self, request: web.Request) -> web.Response:
        await self.record(request)
        rows = [
            {"id": m, "object": "model", "created": 0, "owned_by": self.owned_by}
            if self.owned_by != "me"  # llama-cpp-python's shape
            else {"id": m, "object": "model", "owned_by": "me", "permissions": []}
            for m in self.models
        ]
        return json_response(200, {"object": "list", "data": rows})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        received = await self.record(request)
        refusal = self._refusal(request.headers.get("authorization"), received.body, request.path)
        if refusal is not None:
            return refusal
        body = received.json()
        reply = quirky.as_text(self.next_reply())
        if quirky.tools_ignored(body, self.quirks):
            reply = quirky.without_tools(reply)
        await hold(reply)
        if reply.status != 200:
            error = reply.error_body or orjson.dumps(
                openai_error(reply.error_message, reply.status)
            )
            return web.Response(
                status=reply.status,
                body=error,
                content_type="application/json",
                headers=reply.headers,
            )
        if reply.garbage:
            return await self._garbage(request, bool(body.get("stream")), reply)
        llamacpp = quirky.LLAMACPP in self.quirks
        if body.get("stream"):
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            chunks = stream_chunks(reply, body["model"], usage, self._random, llamacpp)
            if quirky.silent_stream(body, self.quirks):
                chunks = []
            return await send_events(await start_stream(request, reply.headers), chunks, reply)
        answer = completion(reply, body["model"], legacy_function_call=llamacpp)
        return json_response(200, answer, reply.headers)

    def _refusal(self, authorization: str | None, raw: bytes, path: str) -> web.Response | None:
        """The 401/400 a real server answers before looking at the model.

        On OpenRouter's path (`/api/v1/…`) its `plugins` extension is accepted (`[{"id": …}]`).
        """
        if self.api_key and authorization != f"Bearer {self.api_key}":
            message = "Incorrect API key provided."
            return json_response(401, openai_error(message, 401))
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return json_response(400, openai_error("We could not parse the JSON body."))
        if path.startswith("/api/v1/") and isinstance(body, dict) and "plugins" in body:
            plugins = body.pop("plugins")
            if not isinstance(plugins, list) or not all(
                isinstance(p, dict) and isinstance(p.get("id"), str) for p in plugins
            ):
                return json_response(400, openai_error("Invalid 'plugins'."))
        problem = validate_request(body)
        if problem is not None:
            return json_response(400, openai_error(problem))
        return quirky.refusal(body, self.quirks, self.vision)

    async def _garbage(
        self, request: web.Request, stream: bool, reply: Reply
    ) -> web.StreamResponse:
        if not stream:
            return web.Response(
                status=200, body=b"<html>502 Bad Gateway</html>", content_type="text/html"
            )
        chunks = [b"data: {not json\n\n", b"\x00\xffgarbage\n\n", b"data: [1, 2]\n\n"]
        return await send_events(await start_stream(request, reply.headers), chunks, reply)


# -- rendering -----------------------------------------------------------------------------
def _calls(reply: Reply) -> list[Json]:
    return [
        {
            "id": f"call_{secrets.token_hex(6)}",
            "type": "function",
            "function": {"name": call.name, "arguments": orjson.dumps(call.input).decode()},
        }
        for call in reply.tool_calls
    ]


def _finish_reason(reply: Reply) -> str:
    if reply.stop_reason:
        return _FINISH.get(reply.stop_reason, reply.stop_reason)
    return "tool_calls" if reply.tool_calls else "stop"


def _usage(reply: Reply) -> Json:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.input_tokens + reply.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
    }


def completion(reply: Reply, model: str, legacy_function_call: bool = False) -> Json:
    """A non-streaming chat completion for `reply` (llama.cpp adds a legacy function_call)."""
    message: Json = {"role": "assistant", "content": reply.text}
    if reply.thinking is not None:
        message["reasoning_content"] = reply.thinking
    if reply.tool_calls:
        message["tool_calls"] = _calls(reply)
        if legacy_function_call:
            first = message["tool_calls"][0]["function"]
            message["function_call"] = {**first, "name": first["name"] + ":"}
    choice = {"index": 0, "message": message, "finish_reason": _finish_reason(reply)}
    return {
        "id": f"chatcmpl-{secrets.token_hex(8)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
        "usage": _usage(reply),
    }


def split(text: str, rng: random.Random, pieces: int = 3) -> list[str]:
    """`text` cut at up to `pieces - 1` random places (never empty pieces)."""
    if len(text) < 2:
        return [text] if text else []
    cuts = sorted(set(rng.sample(range(1, len(text)), min(pieces - 1, len(text) - 1))))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def _deltas(reply: Reply, rng: random.Random, repeat_head: bool = False) -> list[Json]:
    """Deltas in order; with `repeat_head` every tool-call chunk repeats its id and name."""
    deltas: list[Json] = [{"role": "assistant", "content": ""}]
    deltas += [{"reasoning_content": p} for p in split(reply.thinking or "", rng)]
    deltas += [{"content": p} for p in split(reply.text or "", rng)]
    for index, call in enumerate(_calls(reply)):
        function = call["function"]
        head = {"index": index, "id": call["id"], "type": "function"}
        deltas.append(
            {"tool_calls": [{**head, "function": {"name": function["name"], "arguments": ""}}]}
        )
        for part in split(function["arguments"], rng, pieces=4):
            fragment: Json = {"arguments": part}
            if repeat_head:
                fragment = {"name": function["name"], "arguments": part}
                deltas.append({"tool_calls": [{**head, "function": fragment}]})
            else:
                deltas.append({"tool_calls": [{"index": index, "function": fragment}]})
    return deltas


def stream_chunks(
    reply: Reply, model: str, include_usage: bool, rng: random.Random, repeat_head: bool = False
) -> list[bytes]:
    """The SSE chunks of a streamed answer, ending in `data: [DONE]`."""
    base = {
        "id": f"chatcmpl-{secrets.token_hex(8)}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }
    chunks = [
        {**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}
        for d in _deltas(reply, rng, repeat_head)
    ]
    chunks.append(
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": _finish_reason(reply)}]}
    )
    if include_usage:
        chunks.append({**base, "choices": [], "usage": _usage(reply)})
    return [b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks] + [b"data: [DONE]\n\n"]
