"""Approximate list prices, to put a cost on each request in the journal.

Dollars per million tokens: (input, output, cache read, cache write). Matched by substring of
the served model id, first match wins; unknown and local models cost 0.
"""

from __future__ import annotations

from switchex.gateway.summary import ResponseSummary

PRICES: list[tuple[str, tuple[float, float, float, float]]] = [
    ("opus", (15.0, 75.0, 1.5, 18.75)),
    ("sonnet", (3.0, 15.0, 0.3, 3.75)),
    ("haiku", (1.0, 5.0, 0.1, 1.25)),
    ("gemini-2.5-pro", (1.25, 10.0, 0.31, 1.25)),
    ("gemini-2.5-flash-lite", (0.1, 0.4, 0.025, 0.1)),
    ("gemini-2.5-flash", (0.3, 2.5, 0.075, 0.3)),
    ("gemini-3", (2.0, 12.0, 0.2, 2.0)),
    ("deepseek-r1", (0.55, 2.19, 0.14, 0.55)),
    ("deepseek-reasoner", (0.55, 2.19, 0.14, 0.55)),
    ("deepseek", (0.27, 1.1, 0.07, 0.27)),
]


def cost(model: str, summary: ResponseSummary) -> float:
    lowered = model.lower()
    for needle, (inp, out, read, write) in PRICES:
        if needle in lowered:
            total = (
                summary.input_tokens * inp
                + summary.output_tokens * out
                + summary.cache_read * read
                + summary.cache_creation * write
            )
            return round(total / 1_000_000, 6)
    return 0.0
