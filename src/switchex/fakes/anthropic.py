"""A fake Anthropic Messages API, as strict as the real one where it matters to a gateway.

It rejects unknown top-level parameters, tool-use ids outside `^[a-zA-Z0-9_-]+$`, tool
results that answer no tool use, and thinking blocks it did not sign itself (the real API
rejects thinking that another model made).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from typing import Any

import orjson
from aiohttp import web

from switchex.fakes.base import (
    FakeServer,
    Json,
    Reply,
    hold,
    json_response,
    send_events,
    start_stream,
)
from switchex.providers.common import TOOL_ID_PATTERN
from switchex.sse import encode_event

ALLOWED_PARAMS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "system",
        "metadata",
        "stop_sequences",
        "stream",
        "temperature",
        "top_p",
        "top_k",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
        "container",
        "mcp_servers",
        "context_management",
        "output_config",
        "output_format",
    }
)
_ROLES = frozenset({"user", "assistant", "system"})


ECHO = "{echo}"  # a Reply text that answers with the last user message's text


def last_user_text(body: Json) -> str:
    from switchex.providers.common import blocks_text

    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            return blocks_text(message.get("content")) or "(empty)"
    return "(none)"


def sign(text: str) -> str:
    """The fake's thinking signature: only blocks it made itself verify."""
    return "EqfakeSig" + hashlib.sha256(text.encode()).hexdigest()


def _check_blocks(message: Json, index: int, pending: set[str]) -> str | None:
    content = message.get("content")
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return f"messages.{index}.content: Input should be a valid list or string"
    answered: set[str] = set()
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "tool_use":
            if not TOOL_ID_PATTERN.match(str(block.get("id", ""))):
                return (
                    f"messages.{index}.content.tool_use.id: String should match pattern "
                    "'^[a-zA-Z0-9_-]+$'"
                )
            pending.add(block["id"])
        elif kind == "tool_result":
            if block.get("tool_use_id") not in pending:
                return (
                    f"messages.{index}.content: unexpected `tool_use_id` found in `tool_result` "
                    "blocks. Each `tool_result` block must have a corresponding `tool_use` "
                    "block in the previous message."
                )
            answered.add(block["tool_use_id"])
        elif kind == "thinking" and block.get("signature") != sign(block.get("thinking", "")):
            return f"messages.{index}.content: Invalid `signature` in `thinking` block"
    pending -= answered
    return None


def validate_request(body: Any) -> str | None:
    """What the real API would say is wrong with this body, or None."""
    if not isinstance(body, dict):
        return "body: Input should be an object"
    unknown = sorted(set(body) - ALLOWED_PARAMS)
    if unknown:
        return f"{unknown[0]}: Extra inputs are not permitted"
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return "max_tokens: Field required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    pending: set[str] = set()
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            return f"messages.{index}.role: Input should be 'user' or 'assistant'"
        problem = _check_blocks(message, index, pending)
        if problem:
            return problem
    return None


def _blocks(reply: Reply) -> list[Json]:
    blocks: list[Json] = []
    if reply.thinking:
        blocks.append(
            {"type": "thinking", "thinking": reply.thinking, "signature": sign(reply.thinking)}
        )
    if reply.text:
        blocks.append({"type": "text", "text": reply.text})
    for call in reply.tool_calls:
        blocks.append(
            {
                "type": "tool_use",
                "id": "toolu_" + secrets.token_hex(10),
                "name": call.name,
                "input": call.input,
            }
        )
    return blocks


def message_for(reply: Reply, model: str) -> Json:
    stop = reply.stop_reason or ("tool_use" if reply.tool_calls else "end_turn")
    return {
        "id": "msg_" + secrets.token_hex(10),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": _blocks(reply),
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": reply.input_tokens,
            "output_tokens": reply.output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }


def _event(data: Json) -> bytes:
    return encode_event(data)


def _block_events(index: int, block: Json) -> list[bytes]:
    kind = block["type"]
    if kind == "thinking":
        start: Json = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [
            {"type": "thinking_delta", "thinking": block["thinking"]},
            {"type": "signature_delta", "signature": block["signature"]},
        ]
    elif kind == "text":
        start = {"type": "text", "text": ""}
        text = block["text"]
        half = len(text) // 2
        deltas = [{"type": "text_delta", "text": part} for part in (text[:half], text[half:])]
    else:
        start = {**block, "input": {}}
        arguments = orjson.dumps(block["input"]).decode()
        cut = len(arguments) // 3
        pieces = [arguments[:cut], arguments[cut:]]
        deltas = [{"type": "input_json_delta", "partial_json": part} for part in pieces]
    return [
        _event({"type": "content_block_start", "index": index, "content_block": start}),
        *(_event({"type": "content_block_delta", "index": index, "delta": d}) for d in deltas),
        _event({"type": "content_block_stop", "index": index}),
    ]


def stream_events(message: Json) -> list[bytes]:
    start = {**message, "content": [], "stop_reason": None}
    start["usage"] = {**message["usage"], "output_tokens": 1}
    events = [_event({"type": "message_start", "message": start}), _event({"type": "ping"})]
    for index, block in enumerate(message["content"]):
        events += _block_events(index, block)
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    usage = {"output_tokens": message["usage"]["output_tokens"]}
    events.append(_event({"type": "message_delta", "delta": delta, "usage": usage}))
    events.append(_event({"type": "message_stop"}))
    return events


def error_json(status: int, message: str) -> Json:
    from switchex.errors import error_type_for_status

    return {
        "type": "error",
        "error": {"type": error_type_for_status(status), "message": message},
        "request_id": "req_" + secrets.token_hex(8),
    }


class FakeAnthropic(FakeServer):
    """`POST /v1/messages`, `/v1/messages/count_tokens`, `GET /v1/models`."""

    name = "anthropic"

    def __init__(
        self, default: Reply | None = None, api_key: str | None = None, model: str | None = None
    ) -> None:
        super().__init__(default)
        self.api_key = api_key
        self.model = model

    def is_model_path(self, path: str) -> bool:
        return path == "/v1/messages"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self.messages)
        app.router.add_post("/v1/messages/count_tokens", self.count_tokens)
        app.router.add_get("/v1/models", self.models)

    def _auth_error(self, request: web.Request) -> web.Response | None:
        if self.api_key is None:
            return None
        given = request.headers.get("x-api-key") or request.headers.get(
            "authorization", ""
        ).removeprefix("Bearer ")
        if given == self.api_key:
            return None
        return json_response(401, error_json(401, "invalid x-api-key"))

    async def messages(self, request: web.Request) -> web.StreamResponse:
        received = await self.record(request)
        denied = self._auth_error(request)
        if denied:
            return denied
        try:
            body = received.json()
        except orjson.JSONDecodeError:
            return json_response(400, error_json(400, "There was an error parsing the body"))
        problem = validate_request(body)
        if problem:
            return json_response(400, error_json(400, problem))
        reply = self.next_reply()
        await hold(reply)
        if reply.status != 200:
            payload = reply.error_body or orjson.dumps(
                error_json(reply.status, reply.error_message)
            )
            return web.Response(
                status=reply.status,
                body=payload,
                content_type="application/json",
                headers=reply.headers,
            )
        if reply.garbage:
            return web.Response(status=200, body=b"\x00not json{", content_type="application/json")
        if reply.text == ECHO:
            reply = replace(reply, text=last_user_text(body))
        message = message_for(reply, self.model or body["model"])
        if not body.get("stream"):
            return json_response(200, message, reply.headers)
        response = await start_stream(request, reply.headers)
        return await send_events(response, stream_events(message), reply, self)

    async def count_tokens(self, request: web.Request) -> web.Response:
        received = await self.record(request)
        denied = self._auth_error(request)
        if denied:
            return denied
        return json_response(200, {"input_tokens": max(1, len(received.body) // 4)})

    async def models(self, request: web.Request) -> web.Response:
        return json_response(
            200, {"data": [{"type": "model", "id": "claude-sonnet-4-5"}], "has_more": False}
        )
