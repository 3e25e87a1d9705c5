"""The `gemini` provider kind: Google's Generative Language API, spoken natively.

Calls `POST {base}/v1beta/models/{model}:generateContent` (or `:streamGenerateContent?alt=sse`)
with the key in `x-goog-api-key` (never in the URL, which gets logged) plus the tier's
headers; client headers are never forwarded. Translations live in the sibling modules:
`request` (with `contents`, `schema`, `ids`, `models`), `response`, `stream`, `errors`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from urllib.parse import quote

import orjson

from switchex.errors import UpstreamError
from switchex.providers.base import NO_PLAN, Json, ReplyPlan, TierSpec, UpstreamCall
from switchex.providers.gemini.errors import error_from_response
from switchex.providers.gemini.models import model_id
from switchex.providers.gemini.request import translate_request
from switchex.providers.gemini.response import translate_response
from switchex.providers.gemini.stream import GeminiStreamTranslator

__all__ = ["GeminiProvider", "GeminiStreamTranslator", "translate_request"]

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"


class GeminiProvider:
    """Anthropic Messages in, Gemini generateContent out, and back."""

    kind = "gemini"
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
        model = model_id(model)
        body = translate_request(request, model, tier.max_output_tokens)
        stream = request.get("stream") is True
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        headers = {"content-type": "application/json", **tier.headers}
        if tier.api_key:
            headers["x-goog-api-key"] = tier.api_key
        url = f"{_root(tier.base_url)}/v1beta/models/{quote(model, safe='-._')}:{action}"
        return UpstreamCall("POST", url, headers, orjson.dumps(body), stream)

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, now: float
    ) -> UpstreamError:
        return error_from_response(status, headers, body, now)

    def translate_response(self, body: bytes, model: str, reply: ReplyPlan = NO_PLAN) -> Json:
        return translate_response(body, model_id(model), time.time())

    def stream_translator(self, model: str, reply: ReplyPlan = NO_PLAN) -> GeminiStreamTranslator:
        return GeminiStreamTranslator(model_id(model))


def _root(base_url: str) -> str:
    """The host root, forgiving a pasted `/v1beta` suffix."""
    root = (base_url or DEFAULT_BASE_URL).rstrip("/")
    return root.removesuffix("/v1beta")
