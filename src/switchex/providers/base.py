"""What every provider kind offers the gateway.

A provider (a tier's *dialect*) is pure: it turns an Anthropic Messages request into one HTTP
call to its upstream, and the upstream's answer back into Anthropic shapes. It does no I/O;
the gateway sends the call through the tier's transport and feeds the bytes back.

The one asynchronous step is `authorize`: the gateway awaits it on every call just before
sending, so a dialect whose credential must be fetched or refreshed (a cloud access token,
a request signature over the final body) adds it there. It must not block the event loop
(run blocking refreshes in a thread) and must leave the body alone unless it signs it. When
no credential can be had it raises `UpstreamError` with kind `auth_failed` (the policy then
takes the tier out and the next one serves), never anything else.

Every failure the dialect sees is classified into a `FailureKind` (`error_from_response`,
`translate_response`, error events of a stream); what the gateway then does is decided by
`switchex.gateway.policy`, never by the dialect.
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
    options: Mapping[str, str] = field(default_factory=dict)  # kind-specific: project, region…
    forward_client_headers: bool = False
    """Whether the client's credentials and `anthropic-beta` may be forwarded to this tier."""
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
    """One provider kind's dialect, registered in `switchex.providers.registry`.

    `passthrough` True: the upstream speaks Anthropic's Messages API itself, so the gateway
    relays its answers and streams byte for byte (the translator is then used only where a
    stream must be read as events); False: answers go through `translate_response` and
    `stream_translator`.
    """

    kind: str
    passthrough: bool

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

    async def authorize(self, call: UpstreamCall, tier: TierSpec) -> UpstreamCall:
        """The call with whatever credential must be obtained asynchronously (see above).

        Dialects whose key is a static header return `call` unchanged.
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
