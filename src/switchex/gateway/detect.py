"""Detecting a local openai tier's server software at its first use (one `GET /models`).

Only loopback openai tiers without a configured `server` are asked, once per process; the
answer refines the tier's spec (providers/openai/detect.py says what is recognised). A tier
that does not answer, or answers something else, keeps its configuration: detection never
fails a request.
"""

from __future__ import annotations

import dataclasses

from switchex.errors import UpstreamError
from switchex.gateway.context import Gateway, log
from switchex.gateway.http1 import UpstreamBroken
from switchex.providers.openai.detect import models_call, server_from_models

PROBE_SECONDS = 2.0


async def detect_server(gateway: Gateway, name: str) -> None:
    tier = gateway.tiers[name]
    if tier.provider != "openai" or tier.server or not tier.loopback or name in gateway.probed:
        return
    gateway.probed.add(name)
    from switchex.gateway.upstream import open_call

    limits = ("connect_timeout", "first_byte_timeout", "timeout")
    quick = tier.model_copy(update=dict.fromkeys(limits, PROBE_SECONDS))
    try:
        async with open_call(gateway.http(), models_call(gateway.specs[name]), quick) as answer:
            body = await answer.read() if answer.status == 200 else b""
    except (UpstreamError, UpstreamBroken, TimeoutError, OSError):
        return
    server = server_from_models(body)
    if server:
        log.info("tier %s: detected a %s server", name, server)
        gateway.specs[name] = dataclasses.replace(gateway.specs[name], server=server)
