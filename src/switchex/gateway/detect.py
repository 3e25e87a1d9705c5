"""Detecting a local openai tier's server software at its first use (one `GET /models`).

Only loopback openai tiers without a configured `server` are asked, once per process; the
answer refines the tier's spec (providers/openai/detect.py says what is recognised). A tier
that does not answer, or answers something else, keeps its configuration: detection never
fails a request.
"""

from __future__ import annotations

from switchex.errors import UpstreamError
from switchex.gateway.context import Gateway, log
from switchex.gateway.http1 import UpstreamBroken
from switchex.gateway.tier import Tier
from switchex.providers.openai.detect import models_call, server_from_models

PROBE_SECONDS = 2.0


async def detect_server(gateway: Gateway, name: str) -> None:
    tier = gateway.tiers[name]
    config = tier.config
    if config.provider != "openai" or config.server or not config.loopback:
        return
    if name in gateway.probed:
        return
    gateway.probed.add(name)
    limits = ("connect_timeout", "first_byte_timeout", "timeout")
    quick = config.model_copy(update=dict.fromkeys(limits, PROBE_SECONDS))
    try:
        async with tier.transport.open(models_call(tier.spec), quick) as answer:
            body = await answer.read() if answer.status == 200 else b""
    except (UpstreamError, UpstreamBroken, TimeoutError, OSError):
        return
    server = server_from_models(body)
    if server:
        log.info("tier %s: detected a %s server", name, server)
        detected = config.model_copy(update={"server": server})
        gateway.tiers[name] = Tier(detected, tier.dialect, tier.transport)
