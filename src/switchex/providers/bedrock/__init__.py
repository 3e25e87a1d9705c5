"""The `bedrock` provider kind: Claude on Amazon Bedrock, Anthropic body over InvokeModel.

Calls `POST https://bedrock-runtime.{region}.amazonaws.com/model/{modelId}/invoke` (or
`/invoke-with-response-stream`) with the Anthropic request minus `model` and `stream`, plus
`anthropic_version: bedrock-2023-05-31` and betas as `anthropic_beta`; signed with SigV4 by
botocore. Whole answers are Anthropic messages; streams are AWS event-stream frames that
`BedrockStreamTranslator` turns back into Anthropic events. The region is the tier's
`region`, else the profile's, else us-east-1; a tier's `base_url` replaces the endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import quote

from switchex.errors import SwitchexError, UpstreamError
from switchex.providers.anthropic import AnthropicProvider
from switchex.providers.base import NO_PLAN, Json, ReplyPlan, TierSpec, UpstreamCall
from switchex.providers.bedrock.auth import (
    DEFAULT_REGION,
    Signer,
    auth_failure,
    profile_region,
    sign,
)
from switchex.providers.bedrock.errors import error_from_response
from switchex.providers.bedrock.models import bedrock_model
from switchex.providers.bedrock.stream import BedrockStreamTranslator
from switchex.providers.claude_cloud import cloud_betas, cloud_body, tier_headers

__all__ = ["VERSION", "BedrockProvider", "BedrockStreamTranslator", "bedrock_model", "bedrock_url"]

VERSION = "bedrock-2023-05-31"


def endpoint(tier: TierSpec, region: str) -> str:
    if tier.base_url:
        return tier.base_url.rstrip("/")
    return f"https://bedrock-runtime.{region}.amazonaws.com"


def bedrock_url(tier: TierSpec, model: str, stream: bool, region: str) -> str:
    action = "invoke-with-response-stream" if stream else "invoke"
    return f"{endpoint(tier, region)}/model/{quote(model, safe=':')}/{action}"


class BedrockProvider:
    """Anthropic Messages to Claude on Bedrock; streams translated from event-stream."""

    kind = "bedrock"
    passthrough = False

    def __init__(self) -> None:
        self._signer: Signer | None = None
        self._regions: dict[str | None, str] = {}

    def region(self, tier: TierSpec) -> str:
        """The tier's `region`, else its profile's (read once: env and ~/.aws/config), else
        us-east-1. Bounded local file I/O, once per profile, so it may run on the loop."""
        configured = tier.options.get("region")
        if configured:
            return configured
        profile = tier.options.get("profile")
        if profile not in self._regions:
            self._regions[profile] = profile_region(profile) or DEFAULT_REGION
        return self._regions[profile]

    def build_call(
        self,
        tier: TierSpec,
        request: Json,
        model: str,
        client_headers: Mapping[str, str],
        raw: bytes | None = None,
    ) -> UpstreamCall:
        """The unsigned call (`authorize` signs it)."""
        stream = request.get("stream") is True
        region = self.region(tier)
        body = cloud_body(request, tier, VERSION, cloud_betas(client_headers, tier), False)
        accept = "application/vnd.amazon.eventstream" if stream else "application/json"
        headers = {"content-type": "application/json", "accept": accept, **tier_headers(tier)}
        url = bedrock_url(tier, bedrock_model(model, region), stream, region)
        return UpstreamCall("POST", url, headers, body, stream)

    async def authorize(self, call: UpstreamCall, tier: TierSpec) -> UpstreamCall:
        if self._signer is None:
            self._signer = Signer()
        profile = tier.options.get("profile")
        try:
            credentials = await self._signer.credentials(profile)
        except SwitchexError:
            raise
        except Exception as error:  # botocore's credential errors are many; all mean "none"
            raise auth_failure(error) from None
        return replace(call, headers=sign(call, credentials, self.region(tier)))

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, now: float
    ) -> UpstreamError:
        return error_from_response(status, headers, body, now)

    def translate_response(self, body: bytes, model: str, reply: ReplyPlan = NO_PLAN) -> Json:
        return AnthropicProvider().translate_response(body, model)

    def stream_translator(self, model: str, reply: ReplyPlan = NO_PLAN) -> BedrockStreamTranslator:
        return BedrockStreamTranslator()
