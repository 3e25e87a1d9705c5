"""The pooled HTTP client for upstreams; maps transport failures into the error hierarchy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from switchex.config import TierConfig
from switchex.errors import SwitchableError
from switchex.providers.base import UpstreamCall


def new_session() -> aiohttp.ClientSession:
    """One pooled session for every upstream (keep-alive; no proxy variables read)."""
    connector = aiohttp.TCPConnector(limit=256, limit_per_host=128, keepalive_timeout=60)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),
        auto_decompress=True,
        skip_auto_headers=("User-Agent",),
        trust_env=False,
    )


@asynccontextmanager
async def open_call(
    session: aiohttp.ClientSession, call: UpstreamCall, tier: TierConfig
) -> AsyncIterator[aiohttp.ClientResponse]:
    """Send the call and yield the response once its headers are in.

    Connect errors and a timeout before the headers become SwitchableError, so the router
    can fail over; the response is released when the block ends.
    """
    timeout = aiohttp.ClientTimeout(
        total=tier.timeout, connect=tier.connect_timeout, sock_connect=tier.connect_timeout
    )
    try:
        async with asyncio.timeout(tier.first_byte_timeout):
            response = await session.request(
                call.method, call.url, data=call.body, headers=dict(call.headers), timeout=timeout
            )
    except TimeoutError:
        raise SwitchableError(
            504, f"tier {tier.name!r} did not answer in time", reason="timeout"
        ) from None
    except aiohttp.ClientError as error:
        raise SwitchableError(
            502,
            f"tier {tier.name!r} is unreachable: {type(error).__name__}",
            reason="connect_error",
        ) from None
    try:
        yield response
    finally:
        response.release()
