"""The JSON side of text tool calls: a call object checked against the tool's schema, and
where a JSON value streamed in pieces ends. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

Json = dict[str, Any]
Call = tuple[str, Json]

ARGUMENT_KEYS = ("arguments", "parameters", "input")
_STRUCT = re.compile(r'[{}\[\]"]')
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


# -- schema checks -------------------------------------------------------------------------
def _type_ok(kind: object, value: object) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    known = [k for k in kinds if isinstance(k, str) and k in _TYPES]
    if not known:
        return True
    if isinstance(value, bool) and "boolean" not in known:
        return False
    return any(isinstance(value, _TYPES[k]) for k in known)


def fits_schema(schema: object, arguments: Json) -> bool:
    """Required keys present and top-level property types right (the checks the issue asks)."""
    if not isinstance(schema, dict):
        return True
    required = schema.get("required")
    if isinstance(required, list) and any(
        isinstance(key, str) and key not in arguments for key in required
    ):
        return False
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    for key, value in arguments.items():
        spec = properties.get(key)
        if isinstance(spec, dict) and not _type_ok(spec.get("type"), value):
            return False
    return True


def call_of(value: object, tools: Mapping[str, Json]) -> Call | None:
    """(name, input) when `value` is a call of a known tool whose arguments fit its schema."""
    if not isinstance(value, dict):
        return None
    item: Json = value
    if isinstance(item.get("function"), dict):  # {"type": "function", "function": {...}}
        item = item["function"]
    name = item.get("name")
    key = next((k for k in ARGUMENT_KEYS if k in item), None)
    if not isinstance(name, str) or name not in tools or key is None:
        return None
    arguments = item[key]
    if isinstance(arguments, str):
        arguments = loads(arguments)
    if not isinstance(arguments, dict) or not fits_schema(tools[name], arguments):
        return None
    return name, arguments


def loads(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


# -- a JSON value's extent -----------------------------------------------------------------
class JsonExtent:
    """Finds where the JSON object or array starting at `start` ends, resuming each time."""

    def __init__(self, start: int) -> None:
        self.pos = start
        self.depth = 0
        self.in_string = False
        self.done: int | None = None

    def end(self, buf: str) -> int | None:
        """The index just past the value, or None while it is incomplete."""
        if self.done is not None:
            return self.done
        pos = self.pos
        while True:
            if self.in_string:
                quote = buf.find('"', pos)
                if quote < 0:
                    self.pos = len(buf)
                    return None
                pos = quote + 1
                if not _escaped(buf, quote):
                    self.in_string = False
                continue
            found = _STRUCT.search(buf, pos)
            if found is None:
                self.pos = len(buf)
                return None
            char, pos = found.group(), found.end()
            if char == '"':
                self.in_string = True
            elif char in "{[":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth <= 0:
                    self.done = pos
                    return pos


def _escaped(buf: str, at: int) -> bool:
    count = 0
    while at - count - 1 >= 0 and buf[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def skip_space(buf: str, pos: int) -> int:
    while pos < len(buf) and buf[pos].isspace():
        pos += 1
    return pos


def expect(buf: str, pos: int, closer: str, final: bool) -> int | None:
    """The end of `closer` after optional whitespace at `pos`; -1 if something else is there."""
    pos = skip_space(buf, pos)
    rest = buf[pos : pos + len(closer)]
    if rest == closer:
        return pos + len(closer)
    if not final and closer.startswith(rest):
        return None
    return -1
