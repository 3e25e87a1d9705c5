"""Reversible encoding of any string into one legal git ref component.

Letters, digits and `-_+=,@` are kept; `.` is kept where git allows it (not first, not last,
not after another `.`, not starting a trailing `.lock`); every other character becomes `%XX`
per UTF-8 byte, so `qwen2.5-coder:7b` → `qwen2.5-coder%3A7b`. The empty string is `%`.
The output is ASCII and passes `git check-ref-format` as a single component.
"""

from __future__ import annotations

import string

from switchex.errors import TrackerError

_SAFE = frozenset(string.ascii_letters + string.digits + "-_+=,@")
_HEX = frozenset("0123456789abcdefABCDEF")
EMPTY = "%"


def encode_ref_component(name: str) -> str:
    """Encode `name` (any string) as one legal ref component; `decode_ref_component` undoes it."""
    if not name:
        return EMPTY
    out: list[str] = []
    last = len(name) - 1
    for i, char in enumerate(name):
        if char in _SAFE or (char == "." and _dot_allowed(name, i, last)):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _dot_allowed(name: str, i: int, last: int) -> bool:
    return 0 < i < last and name[i - 1] != "." and name[i:].lower() != ".lock"


def decode_ref_component(component: str) -> str:
    """The string `encode_ref_component` encoded; TrackerError on a malformed escape."""
    if component == EMPTY:
        return ""
    raw = bytearray()
    i = 0
    while i < len(component):
        char = component[i]
        if char != "%":
            raw.extend(char.encode("utf-8", "surrogatepass"))
            i += 1
            continue
        pair = component[i + 1 : i + 3]
        if len(pair) != 2 or not set(pair) <= _HEX:
            raise TrackerError(f"malformed escape in ref component {component!r} at {i}")
        raw.append(int(pair, 16))
        i += 3
    try:
        return raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise TrackerError(f"ref component {component!r} is not encoded UTF-8") from exc
