"""One client request as it goes through the chain: the record every stage fills in.

A plain data type with no I/O: `messages` creates it, the relay fills in the answer's
status, first byte and summary, and the journal row is made from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from switchex.gateway.summary import ResponseSummary
from switchex.providers.base import Json

if TYPE_CHECKING:
    from switchex.gateway.fit import Plan


@dataclass
class Exchange:
    """One client request as it goes through the chain."""

    request: Json
    raw: bytes
    headers: dict[str, str]
    started: float = field(default_factory=time.perf_counter)
    tier: str = ""
    served: str = ""
    repo: str = ""
    status: int = 0
    first_byte: float | None = None
    attempts: list[str] = field(default_factory=list)
    client_key: str = ""  # the name of a served gateway's client key
    summary: ResponseSummary = field(default_factory=ResponseSummary)
    original: Json | None = None  # the client's request, when `request` had media taken out
    notes: str = ""  # what the gateway changed in the request (for the journal)
    error: str = ""  # the message of the error the client got, if any (for /status)
    fit: Plan | None = None  # set when no ready tier had room
