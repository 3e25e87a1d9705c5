"""What every provider kind offers the gateway.

A provider is pure: it turns an Anthropic Messages request into one HTTP call to its upstream,
and the upstream's answer back into Anthropic shapes. It does no I/O; the gateway sends the
call through its pooled client and feeds the bytes back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from switchex.errors import UpstreamError

Json = dict[str, Any]


@dataclass(frozen=True)
class TierSpec:
    """What a provider needs to know about the tier it serves (no secrets beyond the key)."""

    name: str
    base_url: str
    api_key: str | None
    max_output_tokens: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    text_tools: bool = False  # parse tool calls a model prints as text (`tool_call_text`)
    server: str | None = None  # the server software behind the tier (`server`), if known


@dataclass(frozen=True)
class ReplyPlan:
    """What reading a translated answer needs to know about the request that asked for it.

    `tools` maps each client tool's name to its input_schema, for tool calls printed as
    text (parsed only when `text_tools`); `whole_upstream` says the client gets a stream
    although the upstream was asked for a whole answer (re-emitted as stream events).
    """

    text_tools: bool = False
    tools: Mapping[str, Json] = field(default_factory=dict)
    whole_upstream: bool = False


NO_PLAN = ReplyPlan()


@dataclass(frozen=True)
class UpstreamCall:
    """One HTTP request to an upstream; `stream` says whether the answer is a stream."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    stream: bool
    reply: ReplyPlan = NO_PLAN


class StreamTranslator(Protocol):
    """Turns an upstream stream into Anthropic stream events, chunk by chunk.

    Events are dicts in Anthropic's shape (`{"type": "message_start", "message": {...}}`,
    `content_block_delta`, ...); the gateway encodes them as SSE. `feed` takes raw bytes as
    they arrive (any split, even mid-line); `finish` is called once when the upstream closes
    and returns what is still owed so the stream always ends well-formed (closing open blocks,
    `message_delta`, `message_stop`) or with an `error` event.
    """

    def feed(self, chunk: bytes) -> list[Json]: ...

    def finish(self) -> list[Json]: ...


class Provider(Protocol):
    """One provider kind (`anthropic`, `openai`, `gemini`)."""

    kind: str

    def build_call(
        self,
        tier: TierSpec,
        request: Json,
        model: str,
        client_headers: Mapping[str, str],
        raw: bytes | None = None,
    ) -> UpstreamCall:
        """The upstream call for an Anthropic Messages `request`, served by `model`.

        `request` is the client's parsed body: never mutate it (the next tier needs it whole).
        `client_headers` are the client's request headers (lower-case names); only the
        `anthropic` kind may forward any of them. `raw` is the client's exact body, which a
        pass-through provider sends when it changes nothing.
        """
        ...

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, now: float
    ) -> UpstreamError:
        """Map a non-2xx upstream answer into the error hierarchy (Anthropic-shaped body)."""
        ...

    def translate_response(self, body: bytes, model: str, reply: ReplyPlan = NO_PLAN) -> Json:
        """A complete (non-streaming) upstream answer as an Anthropic Message.

        `reply` is the `UpstreamCall.reply` of the call that got this answer.
        May raise SwitchableError when the body is garbage (the tier is broken).
        """
        ...

    def stream_translator(self, model: str, reply: ReplyPlan = NO_PLAN) -> StreamTranslator:
        """A fresh translator for one streamed answer; `model` is the served model id."""
        ...
