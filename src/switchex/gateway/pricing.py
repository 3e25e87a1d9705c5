"""What a request cost, from pydantic's genai-prices data or the tier's own `price:`.

Invariants: an unknown model costs `None` (shown as unknown), never 0; a tier's `price:`
override wins over the data; a non-Anthropic tier on a loopback address (a local server) is
priced only by its override, since its model names ("deepseek-r1:7b") would match someone's
API price.
Anthropic-style usage counts `input_tokens` without the cache; genai-prices wants the total,
with the cache reads and writes as parts of it. Looking a model up is cached (hits and
misses), so pricing an answer costs a few float multiplications on the event loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from switchex.config import TierConfig, TierPrice
from switchex.gateway.summary import ResponseSummary

REFRESH_SECONDS = 3600.0  # prices change by date; re-resolve a model's price hourly


@dataclass(frozen=True)
class Rates:
    """Dollars per million tokens."""

    input: float
    output: float
    cache_read: float
    cache_write: float

    def cost(self, summary: ResponseSummary) -> float:
        total = (
            summary.input_tokens * self.input
            + summary.output_tokens * self.output
            + summary.cache_read * self.cache_read
            + summary.cache_creation * self.cache_write
        )
        return round(total / 1_000_000, 8)


def _rates(price: TierPrice) -> Rates:
    read = price.cache_read if price.cache_read is not None else price.input
    write = price.cache_write if price.cache_write is not None else price.input
    return Rates(price.input, price.output, read, write)


def _lookup(model: str, api_url: str | None) -> tuple[Any, Any] | None:
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    for url in (api_url, None):
        try:
            found: tuple[Any, Any] = snapshot.find_provider_model(model, None, None, url)
            return found
        except LookupError:
            continue
    return None


@lru_cache(maxsize=1024)
def _resolved(model: str, api_url: str | None, epoch_hour: int) -> tuple[Rates | None, Any]:
    """The model's rates (None: tiered prices, use `price`), and its genai-prices price."""
    found = _lookup(model, api_url)
    if found is None:
        return None, None
    price = found[1].get_prices(datetime.now(tz=UTC))
    values = [getattr(price, key) for key in ("input_mtok", "output_mtok")]
    cache = [getattr(price, key) for key in ("cache_read_mtok", "cache_write_mtok")]
    if all(isinstance(v, Decimal) or v is None for v in values + cache):
        inp, out = (float(v or 0) for v in values)
        read, write = (float(v) if v is not None else inp for v in cache)
        return Rates(inp, out, read, write), price
    return None, price


def model_rates(model: str, api_url: str | None = None) -> tuple[Rates | None, Any]:
    return _resolved(model.lower(), api_url, int(time.time() // REFRESH_SECONDS))


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def cost(model: str, summary: ResponseSummary, tier: TierConfig | None = None) -> float | None:
    """The request's cost in dollars, or None when the model's price is unknown."""
    if tier is not None and tier.price is not None:
        return _rates(tier.price).cost(summary)
    local = tier is not None and tier.provider != "anthropic" and _loopback(tier.url)
    if not model or local:
        return None
    rates, price = model_rates(model, tier.url if tier is not None else None)
    if rates is not None:
        return rates.cost(summary)
    if price is None:
        return None
    from genai_prices import Usage

    usage = Usage(
        input_tokens=summary.input_tokens + summary.cache_read + summary.cache_creation,
        output_tokens=summary.output_tokens,
        cache_read_tokens=summary.cache_read,
        cache_write_tokens=summary.cache_creation,
    )
    return round(float(price.calc_price(usage)["total_price"]), 8)


@lru_cache(maxsize=256)
def context_window(model: str, api_url: str | None = None) -> int | None:
    """The model's context window in tokens, when genai-prices knows it."""
    found = _lookup(model.lower(), api_url)
    window = found[1].context_window if found is not None else None
    return int(window) if window else None
