"""How real local servers deviate, as options of FakeOpenAI (so unit tests need no real model).

`quirks=("llamacpp",)` behaves as llama-cpp-python's server does (issue 15, checked against
the real one): `tools` without `tool_choice` are ignored (a plain text answer); streaming with
`tool_choice: "auto"` answers 200 with no data at all; streamed tool calls repeat `id` and
`name` in every chunk; an assistant message with `content: null` and `tool_calls` gets a 500;
a whole answer with `tool_calls` also carries a legacy `function_call` (stray colon in its
name); images without a projector get its 500 "image input is not supported by this server".
`vision=False` without that quirk answers images as Ollama does for a text-only model (400).
`Reply(tool_call_text=SHAPE)` prints the reply's tool calls as text, the way local models do:
`json` (a bare object), `fenced`, `tool_call` (Hermes), `function` (Llama), `qwen3`
(`<function=…><parameter=…>`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
from aiohttp import web

from switchex.fakes.base import Reply, ToolCall, json_response

Json = dict[str, Any]

LLAMACPP = "llamacpp"
SHAPES = ("json", "fenced", "tool_call", "function", "qwen3")
LLAMACPP_NO_VISION = "image input is not supported by this server"
OLLAMA_NO_VISION = "this model does not support image input"


def refusal(body: Json, quirks: tuple[str, ...], vision: bool) -> web.Response | None:
    """The error a quirky server answers for `body`, if any."""
    llamacpp = LLAMACPP in quirks
    if llamacpp and any(_null_content_with_calls(m) for m in body["messages"]):
        return web.Response(status=500, text="Internal Server Error")
    if not vision and any(_has_image(m) for m in body["messages"]):
        if llamacpp:
            error = {"code": 500, "message": LLAMACPP_NO_VISION, "type": "server_error"}
            return json_response(500, {"error": error})
        error = {"message": OLLAMA_NO_VISION, "type": "invalid_request_error", "param": None}
        return json_response(400, {"error": {**error, "code": None}})
    return None


def _null_content_with_calls(message: Json) -> bool:
    return (
        message.get("role") == "assistant"
        and bool(message.get("tool_calls"))
        and (message.get("content") is None)
    )


def _has_image(message: Json) -> bool:
    content = message.get("content")
    parts = content if isinstance(content, list) else []
    return any(isinstance(p, dict) and p.get("type") == "image_url" for p in parts)


def tools_ignored(body: Json, quirks: tuple[str, ...]) -> bool:
    return LLAMACPP in quirks and bool(body.get("tools")) and "tool_choice" not in body


def silent_stream(body: Json, quirks: tuple[str, ...]) -> bool:
    """llama.cpp: 'Automatic streaming tool choice is not supported' — 200, no data."""
    auto = body.get("tool_choice") == "auto"
    return LLAMACPP in quirks and bool(body.get("stream")) and bool(body.get("tools")) and auto


def without_tools(reply: Reply) -> Reply:
    """What a server that ignored the tools answers: text only."""
    return replace(reply, tool_calls=[], text=reply.text or "I cannot do that without tools.")


def as_text(reply: Reply) -> Reply:
    """The reply with its tool calls printed into its text in `reply.tool_call_text` shape."""
    shape = reply.tool_call_text
    if not shape or not reply.tool_calls:
        return reply
    calls = [text_call(call, shape) for call in reply.tool_calls]
    text = "\n".join([reply.text, *calls] if reply.text else calls)
    return replace(reply, tool_calls=[], text=text, tool_call_text=None)


def text_call(call: ToolCall, shape: str) -> str:
    whole = orjson.dumps({"name": call.name, "arguments": call.input}).decode()
    if shape == "json":
        return whole
    if shape == "fenced":
        return f"```json\n{whole}\n```"
    if shape == "tool_call":
        return f"<tool_call>\n{whole}\n</tool_call>"
    if shape == "function":
        return f"<function={call.name}>{orjson.dumps(call.input).decode()}</function>"
    if shape == "qwen3":
        params = "".join(
            f"<parameter={key}>\n{_param(value)}\n</parameter>\n"
            for key, value in call.input.items()
        )
        return f"<tool_call>\n<function={call.name}>\n{params}</function>\n</tool_call>"
    raise ValueError(f"unknown tool_call_text shape {shape!r}; known: {', '.join(SHAPES)}")


def _param(value: object) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()
