"""Tool-use ids and function names between Anthropic and Gemini.

Gemini gives function calls no ids, and Gemini 3 signs each call with a `thoughtSignature`
that must come back on the replayed call. Claude Code keeps tool-use ids verbatim, so the
signature rides inside the id: `toolu_gm<random>` alone, or `toolu_gm<random>_<mode><data>`
where mode `b` holds the signature's bytes (it was canonical base64) and mode `s` its text,
both base64url without padding, so the id always matches `^[a-zA-Z0-9_-]+$`.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets

# Google's documented stand-in for calls Gemini did not make (another model's turns).
DUMMY_SIGNATURE = "skip_thought_signature_validator"

_PREFIX = "toolu_gm"
_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
_NAME_BAD_CHARS = re.compile(r"[^a-zA-Z0-9_.:-]")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _pack(signature: str) -> str:
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raw = None
    if raw is not None and base64.b64encode(raw).decode() == signature:
        return "b" + _b64url(raw)
    return "s" + _b64url(signature.encode())


def new_call_id(signature: object = None) -> str:
    """A fresh tool-use id for a Gemini function call, carrying its signature if any."""
    base = _PREFIX + secrets.token_hex(8)
    if isinstance(signature, str) and signature:
        return f"{base}_{_pack(signature)}"
    return base


def call_signature(tool_id: object) -> str | None:
    """The thoughtSignature a `new_call_id` id carries; None for any other id."""
    if not isinstance(tool_id, str) or not tool_id.startswith(_PREFIX):
        return None
    _, sep, packed = tool_id[len(_PREFIX) :].partition("_")
    if not sep or len(packed) < 2:
        return None
    mode, data = packed[0], packed[1:]
    try:
        raw = _unb64url(data)
        if mode == "b":
            return base64.b64encode(raw).decode()
        text = raw.decode() if mode == "s" else ""
    except (binascii.Error, ValueError):
        return None
    return text if _is_base64(text) else None


def _is_base64(text: str) -> bool:
    """Gemini signatures are bytes in JSON: base64, standard or URL-safe."""
    standard = text.replace("-", "+").replace("_", "/")
    try:
        base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return bool(text)


def to_gemini_name(name: object) -> str:
    """A function name Gemini accepts; names starting with a digit or `-` get a `_` prefix."""
    text = name if isinstance(name, str) else ""
    if _NAME.match(text):
        return text
    return ("_" + _NAME_BAD_CHARS.sub("_", text))[:64]


def from_gemini_name(name: object) -> str:
    """The client's tool name for a name Gemini called (undoes `to_gemini_name`'s prefix)."""
    text = name if isinstance(name, str) else ""
    if len(text) > 1 and text[0] == "_" and (text[1].isdigit() or text[1] == "-"):
        return text[1:]
    return text
