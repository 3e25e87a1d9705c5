"""Matchers for the text tool-call shapes (see texttools.py). Pure, incremental.

A matcher is made when its construct may start at the beginning of the parser's buffer and is
advanced each time text arrives: `advance(buf, final)` returns None (wait for more), or
`(end, calls)` — `calls` empty means "not a call" (the text stays text). Scanning resumes
where it stopped, so a long call streamed in small fragments costs linear time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from switchex.providers.texttools_json import (
    ARGUMENT_KEYS,
    Call,
    JsonExtent,
    call_of,
    expect,
    loads,
    skip_space,
)

Json = dict[str, Any]
Result = tuple[int, list[Call]]

FENCE = "```"
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
MAX_HOLD = 1 << 20  # a construct longer than this is text
FENCE_LINE_HOLD = 24  # a fence whose first line is longer than this is text
_NOT_A_CALL: Result = (0, [])
_FIRST_KEYS = frozenset({"name", "function", "type", "id", *ARGUMENT_KEYS})
FENCE_INFO = frozenset({"", "json", "tool_call", "tool_code", "tool"})
_HEAD_KEY = re.compile(r'\{\s*"([^"\\]{0,64})"')
_HEAD_KEY_SO_FAR = re.compile(r'\{\s*(?:"[^"\\]{0,64})?')
_HEAD_NAME = re.compile(r'\{\s*"name"\s*:\s*"([^"\\]{0,128})"')
_HEAD_NAME_SO_FAR = re.compile(r'\{\s*"name"\s*(?::\s*(?:"[^"\\]{0,128})?)?')
_FUNCTION = re.compile(r"<function=([A-Za-z0-9_.:-]{1,64})>")
_PARAMETER = re.compile(r"<parameter=([^>\n]{1,64})>(.*?)</parameter>", re.S)

# Where a construct may start: `{` or a fence at a line start, `<t…`/`<f…` (or a `<` at the end);
# inside a code block only its closing fence. Each as two patterns, one for the text's start and
# one for after a newline: `(?m)^` would make the regex engine try every position, several times
# slower than skipping ahead to a newline or a `<`.
_HEAD = re.compile(r"[ \t]*([{`])")
_MIDLINE = re.compile(r"\n[ \t]*([{`])|<(?=[tf]|\Z)")
_CODE_HEAD = re.compile(r"[ \t]*(`)")
_CODE_MIDLINE = re.compile(r"\n[ \t]*(`)")


class Matcher(Protocol):
    def advance(self, buf: str, final: bool) -> Result | None: ...


# -- the shapes ----------------------------------------------------------------------------
class BareJson:
    """`{"name": …, "arguments": …}` at a line start; refused early when its head says so."""

    def __init__(self, tools: Mapping[str, Json]) -> None:
        self.tools = tools
        self.extent = JsonExtent(0)
        self.head_ok = False

    def advance(self, buf: str, final: bool) -> Result | None:
        if not self.head_ok:
            verdict = self._head(buf, final)
            if verdict is not None:
                return verdict
        end = self.extent.end(buf)
        if end is None:
            return _NOT_A_CALL if final else None
        call = call_of(loads(buf[:end]), self.tools)
        return (end, [call]) if call else _NOT_A_CALL

    def _head(self, buf: str, final: bool) -> Result | None:
        """Refuse at once an object whose first key, or `name`, cannot be a call's."""
        key = _HEAD_KEY.match(buf)
        if key is None:
            waiting = not final and _HEAD_KEY_SO_FAR.fullmatch(buf) is not None
            return None if waiting else _NOT_A_CALL
        if key.group(1) not in _FIRST_KEYS:
            return _NOT_A_CALL
        if key.group(1) == "name":
            name = _HEAD_NAME.match(buf)
            if name is None:
                waiting = not final and _HEAD_NAME_SO_FAR.fullmatch(buf) is not None
                return None if waiting else _NOT_A_CALL
            if name.group(1) not in self.tools:
                return _NOT_A_CALL
        self.head_ok = True
        return None


class Fenced:
    """A ```json fence holding one call or a list of calls (all must be valid)."""

    def __init__(self, tools: Mapping[str, Json]) -> None:
        self.tools = tools
        self.extent: JsonExtent | None = None
        self.body = 0
        self.line_end = -1  # past the fence's first line, once it is known

    def advance(self, buf: str, final: bool) -> Result | None:
        if self.extent is None:
            started = self._start(buf, final)
            if started is not None:
                return started
            if self.extent is None:
                return _NOT_A_CALL if final else None
        end = self.extent.end(buf)
        if end is None:
            return _NOT_A_CALL if final else None
        close = expect(buf, end, FENCE, final)
        if close is None:
            return None
        calls = self._calls(loads(buf[self.body : end]))
        return (close, calls) if close >= 0 and calls else _NOT_A_CALL

    def _start(self, buf: str, final: bool) -> Result | None:
        newline = buf.find("\n", len(FENCE))
        if newline < 0:
            return _NOT_A_CALL if len(buf) > FENCE_LINE_HOLD or final else None
        self.line_end = newline + 1
        if buf[len(FENCE) : newline].strip().lower() not in FENCE_INFO:
            return _NOT_A_CALL
        body = skip_space(buf, newline + 1)
        if body == len(buf):
            return None
        if buf[body] not in "{[":
            return _NOT_A_CALL
        self.body, self.extent = body, JsonExtent(body)
        return None

    def _calls(self, value: object) -> list[Call]:
        items = value if isinstance(value, list) else [value]
        calls = [call_of(item, self.tools) for item in items]
        return [c for c in calls if c] if calls and all(calls) else []


class FunctionTag:
    """`<function=NAME>` + a JSON object or `<parameter=k>v</parameter>`s + `</function>`."""

    CLOSE = "</function>"

    def __init__(self, tools: Mapping[str, Json], start: int = 0) -> None:
        self.tools = tools
        self.start = start
        self.name = ""
        self.body = -1
        self.extent: JsonExtent | None = None
        self.searched = 0

    def advance(self, buf: str, final: bool) -> Result | None:
        if self.body < 0:
            opened = self._open(buf, final)
            if opened is not None or self.body < 0:
                return opened
        body = skip_space(buf, self.body)
        if body == len(buf):
            return _NOT_A_CALL if final else None
        if buf[body] == "{" or self.extent is not None:
            return self._json(buf, body, final)
        return self._parameters(buf, final)

    def _open(self, buf: str, final: bool) -> Result | None:
        tag = _FUNCTION.match(buf, self.start)
        if tag is None:
            waiting = not final and ">" not in buf[self.start :] and len(buf) - self.start < 80
            return None if waiting else _NOT_A_CALL
        if tag.group(1) not in self.tools:
            return _NOT_A_CALL
        self.name, self.body = tag.group(1), tag.end()
        self.searched = self.body
        return None

    def _json(self, buf: str, body: int, final: bool) -> Result | None:
        if self.extent is None:
            self.extent = JsonExtent(body)
        end = self.extent.end(buf)
        if end is None:
            return _NOT_A_CALL if final else None
        close = expect(buf, end, self.CLOSE, final)
        if close is None:
            return None
        arguments = loads(buf[body:end])
        call = call_of({"name": self.name, "arguments": arguments}, self.tools)
        return (close, [call]) if close >= 0 and call else _NOT_A_CALL

    def _parameters(self, buf: str, final: bool) -> Result | None:
        close = buf.find(self.CLOSE, max(self.body, self.searched - len(self.CLOSE)))
        if close < 0:
            self.searched = len(buf)
            return _NOT_A_CALL if final else None
        inner = buf[self.body : close]
        pairs = _PARAMETER.findall(inner)
        if _PARAMETER.sub("", inner).strip():
            return _NOT_A_CALL  # something other than parameters in between
        schema = self.tools[self.name]
        arguments = {key.strip(): _parameter_value(schema, key.strip(), v) for key, v in pairs}
        call = call_of({"name": self.name, "arguments": arguments}, self.tools)
        return (close + len(self.CLOSE), [call]) if call else _NOT_A_CALL


def _parameter_value(schema: Json, key: str, raw: str) -> object:
    """A parameter's text, trimmed of the newlines around it; JSON when the schema wants it."""
    text = raw.removeprefix("\n").removesuffix("\n")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    spec = properties.get(key) if isinstance(properties, dict) else None
    kind = spec.get("type") if isinstance(spec, dict) else "string"
    if kind in ("string", None) or (isinstance(kind, list) and "string" in kind):
        return text
    value = loads(text.strip())
    return text if value is None and text.strip() != "null" else value


class ToolCallTag:
    """`<tool_call>` + a JSON call or a `<function=…>` tag + `</tool_call>` (Hermes, Qwen)."""

    OPEN, CLOSE = "<tool_call>", "</tool_call>"

    def __init__(self, tools: Mapping[str, Json]) -> None:
        self.tools = tools
        self.inner: BareJsonAt | FunctionTag | None = None

    def advance(self, buf: str, final: bool) -> Result | None:
        if self.inner is None:
            body = skip_space(buf, len(self.OPEN))
            if body == len(buf):
                return _NOT_A_CALL if final else None
            if buf[body] == "{":
                self.inner = BareJsonAt(self.tools, body)
            elif buf.startswith("<", body):
                self.inner = FunctionTag(self.tools, body)
            else:
                return _NOT_A_CALL
        result = self.inner.advance(buf, final)
        if result is None or not result[1]:
            return result
        close = expect(buf, result[0], self.CLOSE, final)
        if close is None:
            return None
        return (close, result[1]) if close >= 0 else _NOT_A_CALL


class BareJsonAt:
    """A JSON call object starting at `start` (inside a tag), with no early refusal."""

    def __init__(self, tools: Mapping[str, Json], start: int) -> None:
        self.tools = tools
        self.start = start
        self.extent = JsonExtent(start)

    def advance(self, buf: str, final: bool) -> Result | None:
        end = self.extent.end(buf)
        if end is None:
            return _NOT_A_CALL if final else None
        call = call_of(loads(buf[self.start : end]), self.tools)
        return (end, [call]) if call else _NOT_A_CALL


def start_matcher(kind: str, tools: Mapping[str, Json]) -> Matcher:
    if kind == "json":
        return BareJson(tools)
    if kind == "fence":
        return Fenced(tools)
    if kind == "tool_call":
        return ToolCallTag(tools)
    return FunctionTag(tools)


def candidate(text: str, pos: int, head: bool, in_code: bool) -> int:
    """Where the next possible construct starts in `text` from `pos`, or -1. At 0 a `{` or a
    fence counts when `head` (the text may start a line); in a code block only a fence."""
    start, rest = (_CODE_HEAD, _CODE_MIDLINE) if in_code else (_HEAD, _MIDLINE)
    if pos == 0 and head and (found := start.match(text)) is not None:
        return found.start(1)
    if (found := rest.search(text, pos)) is None:
        return -1
    return found.start(1) if found.group(1) else found.start()


def partial_suffix(text: str, markers: tuple[str, ...]) -> int:
    """The length of the longest end of `text` that is a proper beginning of a marker."""
    best = 0
    for marker in markers:
        for size in range(min(len(marker) - 1, len(text)), best, -1):
            if text.endswith(marker[:size]):
                best = size
                break
    return best
