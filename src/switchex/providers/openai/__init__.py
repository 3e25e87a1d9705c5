"""The `openai` provider kind: OpenAI Chat Completions (OpenRouter, DeepSeek, Ollama, LM Studio,
vLLM, llama.cpp). Always `POST {base_url}/chat/completions`, never the Responses API.

    request.py    Anthropic request → chat-completions body (messages.py: the conversation)
    response.py   chat completion → Anthropic Message
    stream.py     chat-completions SSE → Anthropic stream events (blocks.py: block order)
    errors.py     error answers → SwitchableError / UpstreamRejected
    arguments.py  tool-call arguments → tool input
    llamacpp.py   what llama.cpp's servers need (`server: llama.cpp`); whole answers to streams
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from switchex.errors import UpstreamError
from switchex.providers.base import Json, TierSpec, UpstreamCall
from switchex.providers.openai import llamacpp
from switchex.providers.openai.errors import error_from_response
from switchex.providers.openai.request import translate_request
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


class OpenAIProvider:
    """Implements providers.base.Provider for OpenAI-compatible chat-completions servers."""

    kind = "openai"

    def build_call(
        self,
        tier: TierSpec,
        request: Json,
        model: str,
        client_headers: Mapping[str, str],
        raw: bytes | None = None,
    ) -> UpstreamCall:
        body = translate_request(request, model, tier.max_output_tokens)
        stream = bool(body.get("stream"))  # what the client gets, even when asked whole
        if llamacpp.is_llamacpp(tier.options):
            body = llamacpp.adapt_request(body)
        return UpstreamCall(
            method="POST",
            url=tier.base_url.rstrip("/") + "/chat/completions",
            headers=call_headers(tier),
            body=orjson.dumps(body),
            stream=stream,
        )

    async def authorize(self, tier: TierSpec, call: UpstreamCall) -> UpstreamCall:
        return call

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, now: float
    ) -> UpstreamError:
        return error_from_response(status, headers, body, now)

    def translate_response(self, body: bytes, model: str) -> Json:
        return llamacpp.settled(translate_completion(body, model))

    def stream_translator(self, model: str) -> llamacpp.WholeOrStreamTranslator:
        return llamacpp.WholeOrStreamTranslator(model)
