"""Pieces every translator shares: tool-id mapping, foreign thinking, system text, ids."""

from __future__ import annotations

import base64
import math
import re
import secrets
from typing import Any

Json = dict[str, Any]

TOOL_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
_ENCODED_PREFIX = "sxid_"

# Thinking blocks made by a model other than Claude carry a signature with this prefix, so the
# anthropic provider can drop them before Anthropic sees them (it would reject them as unsigned).
FOREIGN_SIGNATURE_PREFIX = "switchex:"


def to_anthropic_tool_id(foreign_id: str) -> str:
    """A tool-use id Anthropic accepts, reversible with `from_anthropic_tool_id`.

    Ids that already match Anthropic's pattern pass unchanged; others (`functions.Bash:0`)
    are base64url-encoded behind a prefix, so the mapping needs no state and survives restarts.
    """
    if TOOL_ID_PATTERN.match(foreign_id) and not foreign_id.startswith(_ENCODED_PREFIX):
        return foreign_id
    encoded = base64.urlsafe_b64encode(foreign_id.encode()).decode().rstrip("=")
    return _ENCODED_PREFIX + encoded


def from_anthropic_tool_id(tool_id: str) -> str:
    """The provider's original id for an id made by `to_anthropic_tool_id`."""
    if not tool_id.startswith(_ENCODED_PREFIX):
        return tool_id
    encoded = tool_id[len(_ENCODED_PREFIX) :]
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except ValueError:
        return tool_id


def new_tool_id() -> str:
    """A fresh Anthropic-style tool-use id for providers that give none."""
    return "toolu_sx" + secrets.token_hex(12)


def new_message_id() -> str:
    return "msg_sx" + secrets.token_hex(12)


def foreign_signature(kind: str) -> str:
    """The signature put on thinking blocks that `kind` produced."""
    return FOREIGN_SIGNATURE_PREFIX + kind


def is_foreign_signature(signature: object) -> bool:
    """True for thinking signatures Anthropic did not make (ours, or none at all)."""
    return (
        not isinstance(signature, str)
        or not signature
        or signature.startswith(FOREIGN_SIGNATURE_PREFIX)
    )


def blocks_text(content: object) -> str:
    """The text of a `system` value or message content: a string or a list of blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            block["text"]
            for block in content
            if isinstance(block, dict)
            and block.get("type") == "text"
            and isinstance(block.get("text"), str)
        ]
        return "\n\n".join(part for part in parts if part)
    return ""


def content_blocks(content: object) -> list[Json]:
    """Message content as a list of blocks (a string becomes one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if isinstance(content, list):
        return [block for block in content if isinstance(block, dict)]
    return []


def empty_usage() -> Json:
    return {
        "input_tokens": 0,
        "output_tokens": 0,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def finite_float(value: object) -> float | None:
    """A finite number from a header or body value; None for anything else (inf, nan, junk)."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def retry_after_until(headers: dict[str, str] | Any, now: float) -> float | None:
    """The absolute time a `retry-after` header (seconds or HTTP date) points at, if any.

    Never raises: `inf`, `1e20`, a date in year 9999 or junk give None or a finite far time
    (the policy clamps it to `cooldown.max_reset`).
    """
    value = headers.get("retry-after") if headers else None
    if not value or not isinstance(value, str):
        return None
    seconds = finite_float(value)
    if seconds is not None:
        until = now + max(0.0, seconds)
        return until if math.isfinite(until) else None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, OverflowError, OSError, IndexError):
        return None
