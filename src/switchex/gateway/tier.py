"""A tier as the router and the relay see it: its config, its dialect, its transport.

`Tier` is built once per gateway from the frozen config and the tier registry; nothing in
it changes while serving (routing state lives in `router.TierState`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from switchex.config import Config, LimitsConfig, TierConfig
from switchex.gateway.capabilities import family
from switchex.gateway.upstream import (
    HTTP1Transport,
    Transport,
    UpstreamResponse,
    new_session,
    open_call,
)
from switchex.providers import registry
from switchex.providers.base import Json, Provider, TierSpec, UpstreamCall


class PooledTransport:
    """The fast HTTP/1.1 transport (`upstream.HTTP1Transport`), made on first use: its pool
    belongs to the event loop it first runs on, and the gateway is built before that loop."""

    def __init__(self, limits: LimitsConfig | None = None) -> None:
        self._limits = limits
        self._inner: HTTP1Transport | None = None

    def inner(self) -> HTTP1Transport:
        if self._inner is None or self._inner.closed:
            self._inner = new_session(self._limits)
        return self._inner

    @property
    def closed(self) -> bool:
        return self._inner is not None and self._inner.closed

    def open(
        self, call: UpstreamCall, tier: TierConfig
    ) -> AbstractAsyncContextManager[UpstreamResponse]:
        return open_call(self.inner(), call, tier)

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()


def tier_spec(tier: TierConfig) -> TierSpec:
    """What the dialect may know of a tier (its key included, nothing else secret)."""
    options = {"project": tier.project, "region": tier.region, "profile": tier.profile}
    default = tier.models.get("default")
    cap = tier.max_output_tokens or (family(default).max_output if default else None)
    return TierSpec(
        tier.name,
        tier.url,
        tier.api_key,
        cap,
        tier.headers,
        {key: value for key, value in options.items() if value},
        tier.forwards_client_headers,
        text_tools=tier.parses_text_tools,
        server=tier.server,
    )


@dataclass(frozen=True)
class Tier:
    """One tier of the chain. `client_credentials`: it is served with the client's own key
    (so the policy answers an auth failure unmodified instead of taking the tier out)."""

    config: TierConfig
    dialect: Provider
    transport: Transport
    spec: TierSpec = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", tier_spec(self.config))

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def client_credentials(self) -> bool:
        return self.config.uses_client_credentials

    async def build_call(
        self, request: Json, model: str, client_headers: Mapping[str, str], raw: bytes | None
    ) -> UpstreamCall:
        """The dialect's call for this request, authorized (the asynchronous step)."""
        call = self.dialect.build_call(self.spec, request, model, client_headers, raw)
        return await self.dialect.authorize(call, self.spec)

    def open(self, call: UpstreamCall) -> AbstractAsyncContextManager[UpstreamResponse]:
        return self.transport.open(call, self.config)


def build_tiers(
    config: Config, transport: Transport, dialects: Mapping[str, Provider] | None = None
) -> dict[str, Tier]:
    """The active tiers, in chain order; one dialect per kind (from the registry unless given)."""
    made: dict[str, Provider] = dict(dialects or {})
    tiers: dict[str, Tier] = {}
    for tier in config.active_tiers:
        if tier.provider not in made:
            made[tier.provider] = registry.dialect(tier.provider)
        tiers[tier.name] = Tier(tier, made[tier.provider], transport)
    return tiers
