"""A tier as the router and the relay see it: its config, its dialect, its transport.

`Tier` is built once per gateway from the frozen config and the tier registry; nothing in
it changes while serving (routing state lives in `router.TierState`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from switchex.config import Config, TierConfig
from switchex.gateway.capabilities import family
from switchex.gateway.http1 import Pool, Response
from switchex.gateway.upstream import new_session, open_call
from switchex.providers import registry
from switchex.providers.base import Json, Provider, TierSpec, UpstreamCall


class Transport(Protocol):
    """Sends one upstream call; `async with transport.open(call, tier)` yields the response
    once its headers are in (connect errors and timeouts raise SwitchableError)."""

    def open(
        self, call: UpstreamCall, tier: TierConfig
    ) -> AbstractAsyncContextManager[Response]: ...

    async def close(self) -> None: ...


class PooledTransport:
    """The fast HTTP/1.1 client: one keep-alive pool shared by every tier, opened lazily."""

    def __init__(self) -> None:
        self._pool: Pool | None = None

    def pool(self) -> Pool:
        if self._pool is None or self._pool.closed:
            self._pool = new_session()
        return self._pool

    def open(self, call: UpstreamCall, tier: TierConfig) -> AbstractAsyncContextManager[Response]:
        return open_call(self.pool(), call, tier)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


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

    def open(self, call: UpstreamCall) -> AbstractAsyncContextManager[Response]:
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
