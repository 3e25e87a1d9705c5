"""The `vertex` provider kind: Claude on Google Vertex AI, Anthropic body over Google's endpoint.

Calls `POST https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/
{region}/publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict` for streams;
region `global` uses the host `aiplatform.googleapis.com`) with a Bearer token from Google's
Application Default Credentials. The body is the Anthropic request without `model`, with
`anthropic_version: vertex-2023-10-16` and betas as `anthropic_beta`. Answers are ordinary
Anthropic JSON and SSE, so they are relayed as the anthropic kind relays them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import quote

from switchex.errors import UpstreamError
from switchex.providers.anthropic import AnthropicProvider
from switchex.providers.base import NO_PLAN, Json, ReplyPlan, TierSpec, UpstreamCall
from switchex.providers.claude_cloud import cloud_betas, cloud_body, tier_headers
from switchex.providers.vertex.errors import error_from_response
from switchex.providers.vertex.models import vertex_model
from switchex.providers.vertex.sse import AnthropicSSE

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from switchex.providers.vertex.auth import TokenSource

__all__ = ["VERSION", "VertexProvider", "vertex_model", "vertex_url"]

VERSION = "vertex-2023-10-16"
DEFAULT_REGION = "global"


def vertex_url(tier: TierSpec, model: str, stream: bool) -> str:
    """The rawPredict URL; a tier's `base_url` replaces the host (tests, private endpoints)."""
    region = tier.options.get("region") or DEFAULT_REGION
    project = tier.options.get("project", "")
    host = (
        "aiplatform.googleapis.com" if region == "global" else f"{region}-aiplatform.googleapis.com"
    )
    root = tier.base_url.rstrip("/") if tier.base_url else f"https://{host}"
    action = "streamRawPredict" if stream else "rawPredict"
    return (
        f"{root}/v1/projects/{quote(project, safe='')}/locations/{quote(region, safe='')}"
        f"/publishers/anthropic/models/{quote(model, safe='@.-_')}:{action}"
    )


class VertexProvider:
    """Anthropic Messages to Claude on Vertex AI; answers pass through unchanged."""

    kind = "vertex"
    passthrough = True

    def __init__(self, credentials: Credentials | None = None) -> None:
        """`credentials`: any google-auth Credentials; None finds ADC on first use."""
        self._credentials = credentials
        self._tokens: TokenSource | None = None

    def build_call(
        self,
        tier: TierSpec,
        request: Json,
        model: str,
        client_headers: Mapping[str, str],
        raw: bytes | None = None,
    ) -> UpstreamCall:
        stream = request.get("stream") is True
        body = cloud_body(request, tier, VERSION, cloud_betas(client_headers, tier), True)
        headers = {"content-type": "application/json", **tier_headers(tier)}
        return UpstreamCall(
            "POST", vertex_url(tier, vertex_model(model), stream), headers, body, stream
        )

    async def authorize(self, call: UpstreamCall, tier: TierSpec) -> UpstreamCall:
        if self._tokens is None:
            from switchex.providers.vertex.auth import TokenSource

            self._tokens = TokenSource(self._credentials)
        token = await self._tokens.token()
        return replace(call, headers={**call.headers, "authorization": f"Bearer {token}"})

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, now: float
    ) -> UpstreamError:
        return error_from_response(status, headers, body, now)

    def translate_response(self, body: bytes, model: str, reply: ReplyPlan = NO_PLAN) -> Json:
        return AnthropicProvider().translate_response(body, model)

    def stream_translator(self, model: str, reply: ReplyPlan = NO_PLAN) -> AnthropicSSE:
        return AnthropicSSE()
