"""The `anthropic` kind: a faithful pass-through to the Messages API (or any server speaking it).

Bodies go upstream as the client sent them, byte for byte, unless the conversation must be
repaired for Anthropic (thinking made by another model, a tool id another provider made) or
the tier maps the model or caps `max_tokens`. Answers and streams are relayed unchanged.

Credentials: the client's `x-api-key` / `authorization` and `anthropic-beta` reach only a tier
with `forward_client_headers` (Anthropic's API host, or `forward_client_credentials: true`);
a tier with its own key sends that key instead. An anthropic-kind tier elsewhere without a
key sends no credential at all (set its `api_key` if it needs one). `Cookie` is never sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import orjson

from switchex.errors import (
    FailureKind,
    SwitchableError,
    UpstreamError,
    error_type_for_status,
    kind_for_status,
)
from switchex.providers.base import NO_PLAN, Json, ReplyPlan, TierSpec, UpstreamCall
from switchex.providers.common import (
    FOREIGN_SIGNATURE_PREFIX,
    TOOL_ID_PATTERN,
    finite_float,
    is_foreign_signature,
    retry_after_until,
    to_anthropic_tool_id,
)
from switchex.providers.streaming import SSEDataTranslator

# Never forwarded: hop-by-hop headers (RFC 9110 §7.6.1) and what the client library sets anew.
_DROP = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "accept-encoding",
        "x-switchex-key",  # a served gateway's own client key (switchex.keys)
        "cookie",
    }
)
_CLIENT_ONLY = frozenset({"x-api-key", "authorization", "anthropic-beta"})
_FOREIGN_MARK = FOREIGN_SIGNATURE_PREFIX.encode()
# Anthropic's error types, when the body names one, beat the status.
_TYPE_KINDS = {
    "rate_limit_error": FailureKind.RATE_LIMITED,
    "overloaded_error": FailureKind.OVERLOADED,
    "authentication_error": FailureKind.AUTH_FAILED,
    "permission_error": FailureKind.AUTH_FAILED,
    "billing_error": FailureKind.BILLING,
    "not_found_error": FailureKind.NOT_FOUND,
    "request_too_large": FailureKind.TOO_LARGE,
}


def forward_headers(client_headers: Mapping[str, str], tier: TierSpec) -> dict[str, str]:
    """Client headers for the upstream: all but hop-by-hop, cookies and, unless the tier may
    have them, the client's credentials and `anthropic-beta`; the tier's key replaces the
    client's."""
    drop_client = not tier.forward_client_headers
    headers = {
        k: v
        for k, v in client_headers.items()
        if k not in _DROP and not (drop_client and k in _CLIENT_ONLY)
    }
    if tier.api_key:
        headers.pop("authorization", None)
        headers["x-api-key"] = tier.api_key
    headers.update(tier.headers)
    headers.setdefault("anthropic-version", "2023-06-01")
    headers["content-type"] = "application/json"
    return headers


def _repair_blocks(content: list[Any]) -> tuple[list[Any], bool, bool]:
    """Drop foreign thinking, make tool ids legal; returns (blocks, changed, dropped_thinking)."""
    out: list[Any] = []
    changed = dropped = False
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "thinking" and is_foreign_signature(block.get("signature")):
            changed = dropped = True
            continue
        key = "id" if kind == "tool_use" else "tool_use_id" if kind == "tool_result" else None
        if key and isinstance(block.get(key), str) and not TOOL_ID_PATTERN.match(block[key]):
            block = {**block, key: to_anthropic_tool_id(block[key])}
            changed = True
        out.append(block)
    return out, changed, dropped


def repair_conversation(request: Json) -> Json | None:
    """The request made acceptable to Anthropic after other models took part; None if it is."""
    messages = request.get("messages")
    if not isinstance(messages, list):
        return None
    repaired: list[Any] = []
    changed = last_lost_thinking = False
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            blocks, block_changed, dropped = _repair_blocks(content)
            if block_changed:
                message = {**message, "content": blocks or [{"type": "text", "text": "(no text)"}]}
                changed = True
            if message.get("role") == "assistant":
                last_lost_thinking = dropped
        repaired.append(message)
    if not changed:
        return None
    result = {**request, "messages": repaired}
    if last_lost_thinking:
        _thinking_off(result)
    return result


def _thinking_off(request: Json) -> None:
    """Anthropic rejects thinking when the latest assistant turn has lost its thinking block."""
    request.pop("thinking", None)
    management = request.get("context_management")
    if isinstance(management, dict) and isinstance(management.get("edits"), list):
        edits = [
            e
            for e in management["edits"]
            if not (isinstance(e, dict) and str(e.get("type", "")).startswith("clear_thinking"))
        ]
        if edits:
            request["context_management"] = {**management, "edits": edits}
        else:
            request.pop("context_management")


def prepare_body(request: Json, model: str, tier: TierSpec, raw: bytes | None) -> bytes:
    """The upstream body: the client's bytes when nothing needs to change.

    Only thinking that another model made needs repair, and it always carries our signature
    prefix: when the client's bytes do not contain it, the (long) conversation is not walked.
    """
    walk = raw is None or _FOREIGN_MARK in raw
    body = repair_conversation(request) if walk else None
    changed = body is not None
    body = body if body is not None else request
    cap = tier.max_output_tokens
    tokens = body.get("max_tokens")
    if body.get("model") != model or (cap and isinstance(tokens, int) and tokens > cap):
        body = {**body, "model": model}
        if cap and isinstance(tokens, int) and tokens > cap:
            body["max_tokens"] = cap
        changed = True
    if raw is not None and not changed:
        return raw
    return orjson.dumps(body)


def _rfc3339(value: str) -> float | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError, OSError):
        return None


def cooldown_until(headers: Mapping[str, str], now: float) -> float | None:
    """When a limited Anthropic tier is usable again, from the most specific signal present."""
    if headers.get("anthropic-ratelimit-unified-status") == "rejected":
        reset = finite_float(headers.get("anthropic-ratelimit-unified-reset"))
        if reset is not None:
            return reset
    retry = retry_after_until(headers, now)
    if retry is not None:
        return retry
    exhausted: list[float] = []
    others: list[float] = []
    for kind in ("requests", "tokens", "input-tokens", "output-tokens"):
        at = _rfc3339(headers.get(f"anthropic-ratelimit-{kind}-reset", ""))
        if at is None:
            continue
        remaining = headers.get(f"anthropic-ratelimit-{kind}-remaining")
        (exhausted if remaining == "0" else others).append(at)
    if exhausted:
        return max(exhausted)
    return min(others) if others else None


def _message_of(body: bytes) -> tuple[str, str]:
    try:
        error = orjson.loads(body)["error"]
        return str(error.get("type", "")), str(error.get("message", ""))
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return "", body[:200].decode("utf-8", "replace")


def classify(status: int, error_type: str, message: str) -> FailureKind:
    """The failure kind of an Anthropic error answer: the body's error type, else the status."""
    if status == 400 and "prompt is too long" in message:
        return FailureKind.CONTEXT_TOO_LONG
    if status == 400 and "credit balance" in message:
        return FailureKind.BILLING
    return _TYPE_KINDS.get(error_type) or kind_for_status(status)


class AnthropicStreamTranslator(SSEDataTranslator):
    """Anthropic SSE as the event dicts it already is (for readers of a relayed stream)."""

    def _data(self, data: str) -> list[Json]:
        try:
            event = orjson.loads(data)
        except orjson.JSONDecodeError:
            return []
        return [event] if isinstance(event, dict) else []

    def finish(self) -> list[Json]:
        return self._rest()


_RELAYED = ("content-type", "request-id", "retry-after", "x-should-retry")


class AnthropicProvider:
    """Pass-through to an Anthropic Messages endpoint."""

    kind = "anthropic"
    passthrough = True

    async def authorize(self, call: UpstreamCall, tier: TierSpec) -> UpstreamCall:
        return call

    def build_call(
        self,
        tier: TierSpec,
        request: Json,
        model: str,
        client_headers: Mapping[str, str],
        raw: bytes | None = None,
    ) -> UpstreamCall:
        return UpstreamCall(
            "POST",
            f"{tier.base_url}/v1/messages",
            forward_headers(client_headers, tier),
            prepare_body(request, model, tier, raw),
            bool(request.get("stream")),
        )

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, now: float
    ) -> UpstreamError:
        kept = {k: headers[k] for k in _RELAYED if k in headers}
        error_type, message = _message_of(body)
        kind = classify(status, error_type, message)
        error_type = error_type or error_type_for_status(status)
        message = message or f"upstream answered HTTP {status}"
        return UpstreamError(
            status, message, error_type, kept, body, kind, cooldown_until(headers, now)
        )

    def translate_response(self, body: bytes, model: str, reply: ReplyPlan = NO_PLAN) -> Json:
        try:
            message = orjson.loads(body)
        except orjson.JSONDecodeError:
            message = None
        if not isinstance(message, dict) or message.get("type") != "message":
            raise SwitchableError(
                502, "the upstream answered something that is not a message", reason="bad_response"
            )
        return message

    def stream_translator(
        self, model: str, reply: ReplyPlan = NO_PLAN
    ) -> AnthropicStreamTranslator:
        return AnthropicStreamTranslator()
