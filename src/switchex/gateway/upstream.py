"""The pooled HTTP client for upstreams; transport failures arrive as the error hierarchy."""

from __future__ import annotations

from switchex.config import TierConfig
from switchex.gateway.http1 import Call, Pool
from switchex.providers.base import UpstreamCall


def new_session() -> Pool:
    """One pool of keep-alive connections for every upstream (no proxy variables read)."""
    return Pool()


def open_call(session: Pool, call: UpstreamCall, tier: TierConfig) -> Call:
    """Send the call; `async with` yields the response once its headers are in.

    Connect errors and a timeout before the headers raise SwitchableError, so the router
    can fail over; the connection goes back to the pool (or is closed) when the block ends.
    A whole answer asked in place of a stream (`reply.whole_upstream`) sends its headers only
    once generated, so it gets the tier's whole-answer `timeout` for them.
    """
    return session.open(
        call.method,
        call.url,
        call.headers,
        call.body,
        connect_timeout=tier.connect_timeout,
        first_byte_timeout=tier.timeout if call.reply.whole_upstream else tier.first_byte_timeout,
        total_timeout=tier.timeout,
        label=f"tier {tier.name!r}",
    )
