"""Token counters: asking a tier's own upstream how many tokens a request is.

Used only by `POST /v1/messages/count_tokens` (never on the request path, where the local
estimate of `gateway.fit` serves). A kind names its counter in the registry (`Kind.counter`);
a counter is pure like a dialect: it makes the calls and reads their answers, the gateway
sends them.

    anthropic  POST {base}/v1/messages/count_tokens            → {"input_tokens": n}
    gemini     POST {root}/v1beta/models/{m}:countTokens        → {"totalTokens": n}
               with {"generateContentRequest": {"model": "models/{m}", ...}}
    openai     on a local server only (loopback or private address):
               llama.cpp's llama-server: POST {root}/tokenize {"content": text}
               → {"tokens": [...]}; llama-cpp-python's server: POST
               {root}/extras/tokenize/count {"input": text} → {"count": n}; then
               vLLM: POST {root}/tokenize {"model": m, "prompt": text} → {"count": n}
               (only the one the tier's `server` names; none for ollama and lm-studio)
               over the conversation flattened to text (no chat template: a close count)

Ollama has no tokenizer endpoint: its tiers get the estimate.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import orjson

from switchex.providers.base import Json, TierSpec, UpstreamCall


class TokenCounter(Protocol):
    """One kind's token counter."""

    def calls(
        self, tier: TierSpec, request: Json, model: str, client_headers: Mapping[str, str]
    ) -> list[UpstreamCall]:
        """The calls to try in order until one answers a count ([]: no counter here)."""
        ...

    def read(self, body: bytes) -> int | None:
        """The count in a 2xx answer of one of the calls (None: not a count)."""
        ...


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


class AnthropicCounter:
    """Anthropic's own count_tokens endpoint, with the headers a message call would carry."""

    def calls(
        self, tier: TierSpec, request: Json, model: str, client_headers: Mapping[str, str]
    ) -> list[UpstreamCall]:
        from switchex.providers.anthropic import forward_headers

        body = {**request, "model": model}
        url = f"{tier.base_url}/v1/messages/count_tokens"
        headers = forward_headers(client_headers, tier)
        return [UpstreamCall("POST", url, headers, orjson.dumps(body), False)]

    def read(self, body: bytes) -> int | None:
        return _count(_json(body).get("input_tokens"))


class GeminiCounter:
    """Gemini's `countTokens` over the same translation a generateContent call would send."""

    def calls(
        self, tier: TierSpec, request: Json, model: str, client_headers: Mapping[str, str]
    ) -> list[UpstreamCall]:
        from switchex.providers.gemini import DEFAULT_BASE_URL, translate_request
        from switchex.providers.gemini.models import model_id

        model = model_id(model)
        inner = translate_request(request, model, tier.max_output_tokens)
        inner.pop("generationConfig", None)
        inner["model"] = f"models/{model}"
        root = (tier.base_url or DEFAULT_BASE_URL).rstrip("/").removesuffix("/v1beta")
        url = f"{root}/v1beta/models/{quote(model, safe='-._')}:countTokens"
        headers = {"content-type": "application/json", **tier.headers}
        if tier.api_key:
            headers["x-goog-api-key"] = tier.api_key
        body = orjson.dumps({"generateContentRequest": inner})
        return [UpstreamCall("POST", url, headers, body, False)]

    def read(self, body: bytes) -> int | None:
        return _count(_json(body).get("totalTokens"))


class TokenizeCounter:
    """The tokenizer endpoint of a local llama.cpp (llama-server or llama-cpp-python) or vLLM
    server: the tier's `server`, or every shape in that order when it is not known."""

    def calls(
        self, tier: TierSpec, request: Json, model: str, client_headers: Mapping[str, str]
    ) -> list[UpstreamCall]:
        parts = urlsplit(tier.base_url)
        if not _local(parts.hostname or ""):
            return []
        root = f"{parts.scheme}://{parts.netloc}"
        headers = {"content-type": "application/json", **tier.headers}
        if tier.api_key:
            headers["authorization"] = f"Bearer {tier.api_key}"
        text = flat_text(request)
        shapes: dict[str, list[tuple[str, Json]]] = {
            "llama.cpp": [
                ("/tokenize", {"content": text, "add_special": True}),
                ("/extras/tokenize/count", {"input": text}),
            ],
            "vllm": [("/tokenize", {"model": model, "prompt": text})],
        }
        servers = [tier.server] if tier.server else list(shapes)
        return [
            UpstreamCall("POST", root + path, headers, orjson.dumps(body), False)
            for server in servers
            for path, body in shapes.get(server, [])
        ]

    def read(self, body: bytes) -> int | None:
        answer = _json(body)
        if "count" in answer:
            return _count(answer["count"])
        tokens = answer.get("tokens")
        return len(tokens) if isinstance(tokens, list) else None


def _local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def flat_text(request: Json) -> str:
    """The request's words as one text: system, every block's text, tool calls and results
    as JSON, tool definitions as JSON (images and documents are not text: left out)."""
    out: list[str] = []
    _text(request.get("system"), out)
    for message in request.get("messages") or []:
        if isinstance(message, dict):
            _text(message.get("content"), out)
    if request.get("tools"):
        out.append(orjson.dumps(request["tools"]).decode())
    return "\n".join(out)


def _text(content: Any, out: list[str]) -> None:
    if isinstance(content, str):
        out.append(content)
        return
    for block in content if isinstance(content, list) else ():
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            out.append(str(block.get("text", "")))
        elif kind == "thinking":
            out.append(str(block.get("thinking", "")))
        elif kind == "tool_use":
            out.append(
                orjson.dumps({"name": block.get("name"), "input": block.get("input")}).decode()
            )
        elif kind == "tool_result":
            _text(block.get("content"), out)
