"""The `openai` provider kind: OpenAI Chat Completions (OpenRouter, DeepSeek, Ollama, LM Studio,
vLLM, llama.cpp). Always `POST {base_url}/chat/completions`, never the Responses API.

    request.py    Anthropic request → chat-completions body (messages.py: the conversation)
    response.py   chat completion → Anthropic Message
    stream.py     chat-completions SSE → Anthropic stream events (blocks.py: block order)
    errors.py     error answers → SwitchableError / UpstreamRejected
    arguments.py  tool-call arguments → tool input
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from switchex.errors import UpstreamError
from switchex.providers.base import NO_PLAN, Json, ReplyPlan, TierSpec, UpstreamCall
from switchex.providers.openai.errors import error_from_response
from switchex.providers.openai.request import Dialect, translate_request
from switchex.providers.openai.response import translate_completion
from switchex.providers.openai.stream import OpenAIStreamTranslator

__all__ = ["OpenAIProvider", "OpenAIStreamTranslator", "translate_completion", "translate_request"]


def call_headers(tier: TierSpec) -> dict[str, str]:
    """The tier's own credentials and headers; nothing the client sent."""
    headers = {"content-type": "application/json"}
    if tier.api_key:
        headers["authorization"] = f"Bearer {tier.api_key}"
    headers.update(tier.headers)
    return headers


def dialect_of(tier: TierSpec) -> Dialect:
    host = tier.base_url.split("://", 1)[-1].split("/", 1)[0].lower()
    openrouter = host == "openrouter.ai" or host.endswith(".openrouter.ai")
    return Dialect(explicit_auto=tier.server == "llama.cpp", web_plugin=openrouter)


def tool_schemas(request: Json) -> dict[str, Json]:
    """The client tools' input schemas by name (what a text tool call is checked against)."""
    tools = request.get("tools")
    listed = tools if isinstance(tools, list) else []
    return {
        tool["name"]: tool.get("input_schema") or {}
        for tool in listed
        if isinstance(tool, dict)
        and tool.get("type") in (None, "custom")
        and isinstance(tool.get("name"), str)
    }


class OpenAIProvider:
    """Implements providers.base.Provider for OpenAI-compatible chat-completions servers."""

    kind = "openai"
    passthrough = False

    async def authorize(self, call: UpstreamCall, tier: TierSpec) -> UpstreamCall:
        return call  # a static key header, set by build_call

    def build_call(
        self,
        tier: TierSpec,
        request: Json,
        model: str,
        client_headers: Mapping[str, str],
        raw: bytes | None = None,
    ) -> UpstreamCall:
        body = translate_request(request, model, tier.max_output_tokens, dialect_of(tier))
        stream = bool(body.get("stream"))
        # llama.cpp's server cannot stream tool calls: ask whole, re-emit as a stream.
        whole_upstream = stream and tier.server == "llama.cpp" and "tools" in body
        if whole_upstream:
            del body["stream"], body["stream_options"]
        tools = tool_schemas(request) if tier.text_tools else {}
        reply = ReplyPlan(tier.text_tools, tools, whole_upstream)
        return UpstreamCall(
            method="POST",
            url=tier.base_url.rstrip("/") + "/chat/completions",
            headers=call_headers(tier),
            body=orjson.dumps(body),
            stream=stream,
            reply=reply,
        )

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, now: float
    ) -> UpstreamError:
        return error_from_response(status, headers, body, now)

    def translate_response(self, body: bytes, model: str, reply: ReplyPlan = NO_PLAN) -> Json:
        return translate_completion(body, model, reply)

    def stream_translator(self, model: str, reply: ReplyPlan = NO_PLAN) -> OpenAIStreamTranslator:
        return OpenAIStreamTranslator(model, reply)
