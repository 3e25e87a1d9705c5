"""Tool calls that local models print as text, recognised while the text streams. Pure, no I/O.

Shapes recognised (`NAME` must be one of the request's tools):

    {"name": NAME, "arguments"|"parameters"|"input": {...}}     a bare object at a line start
    ```json  <that object, or a list of them>  ```               a fenced block at a line start
    <tool_call>{...} or <function=…>…</function></tool_call>    Hermes / Qwen tags
    <function=NAME>{...}</function>                             Llama / Qwen3-coder tags
    <function=NAME><parameter=x>…</parameter></function>
    <think>…</think>                                            at a line start: thinking

Invariants: the concatenation of every piece's `source`, in order, is exactly the text fed
(nothing is lost or reordered); a construct becomes a call only when it is complete, names a
tool of the request and its arguments fit that tool's schema (required keys, top-level types),
else its text stays text. Only what could still become a construct is held back: a `{` or a
fence at a line start, or a tag; everything else is emitted at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from switchex.providers.texttools_match import (
    FENCE,
    FENCE_INFO,
    FENCE_LINE_HOLD,
    MAX_HOLD,
    THINK_CLOSE,
    THINK_OPEN,
    Fenced,
    Matcher,
    candidate,
    partial_suffix,
    start_matcher,
)

Json = dict[str, Any]

_MARKERS = ("<tool_call>", "<function=", THINK_OPEN)


class Piece(NamedTuple):
    """One part of the answer: `text`, `thinking` or `tool` (then `name` and `input`)."""

    kind: str
    text: str
    source: str
    name: str = ""
    input: Json | None = None


class TextToolParser:
    """Feed text fragments as they stream; get back pieces that are safe to emit."""

    def __init__(self, tools: Mapping[str, Json]) -> None:
        self.tools = tools  # tool name -> input_schema
        self._buf = ""
        self._line_blank = True  # only whitespace since the last newline emitted
        self._matcher: Matcher | None = None
        self._thinking = False
        self._after_think = False  # whitespace right after </think> belongs to the tag
        self._in_code = False  # inside a fenced block that is not a call: all of it is text
        self.calls = 0
        # Nothing held and mid-line: a fragment with no newline and no `<` is then plain text
        # that changes nothing here (a `{` or a fence only counts at a line start), so a
        # caller may emit it without calling `pieces`. Kept true by `_noted`, `_hold`, `_scan`.
        self.quiet = False

    def pieces(self, fragment: str) -> list[Piece] | None:
        """None when `fragment` is plain text to emit as it is (the parser took note of it),
        else the pieces now safe to emit. The fast path of a stream: most fragments hold no
        character that could start a call."""
        if self.quiet and "\n" not in fragment and "<" not in fragment:
            return None
        if self._buf or self._thinking or self._after_think:
            return self._take(fragment)
        if "`" in fragment or (not self._in_code and ("{" in fragment or "<" in fragment)):
            hold, in_code = self._fences(fragment)
            if hold < 0:
                self._buf = fragment
                return self._scan(final=False)
            if hold < len(fragment):
                return self._hold(fragment, hold, in_code)
            self._in_code = in_code
        self._noted(fragment)
        return None

    def _noted(self, text: str) -> None:
        """`text` went out as text: the line state follows it."""
        if "\n" in text:
            self._line_blank = not text[text.rfind("\n") + 1 :].strip()
        elif self._line_blank and text.strip():
            self._line_blank = False
        self.quiet = not self._line_blank

    def _fences(self, text: str) -> tuple[int, bool]:
        """When every possible construct in `text` (sent as it comes after what went out) is a
        whole fence line that opens a code block (not a call: its info is not json…) or closes
        one, but for a fence (or its start) at the very end whose first line is not complete:
        where to hold from (`len(text)`: nothing) and whether a code block is then open.
        -1 when something else may start: `_scan` decides. Changes nothing."""
        in_code, pos = self._in_code, 0
        while (at := candidate(text, pos, self._line_blank, in_code)) >= 0:
            if not text.startswith(FENCE, at):
                return (at if FENCE.startswith(text[at:]) else -1), in_code
            if in_code:
                in_code, pos = False, at + len(FENCE)
                continue
            newline = text.find("\n", at + len(FENCE))
            if newline < 0:  # held by a fence matcher while its first line is short
                return (at if len(text) - at <= FENCE_LINE_HOLD else -1), in_code
            if text[at + len(FENCE) : newline].strip().lower() in FENCE_INFO:
                return -1, in_code
            in_code, pos = True, newline  # the next line starts after this newline
        return len(text), in_code

    def feed(self, fragment: str) -> list[Piece]:
        pieces = self.pieces(fragment)
        return [Piece("text", fragment, fragment)] if pieces is None else pieces

    def _take(self, fragment: str) -> list[Piece]:
        """`fragment` after what is held. A fence cut by the deltas that only opens or closes a
        code block skips the matchers."""
        text = self._buf + fragment
        matcher = self._matcher
        fresh = matcher is None or (isinstance(matcher, Fenced) and matcher.line_end < 0)
        if fresh and not (self._thinking or self._after_think):
            hold, in_code = self._fences(text)
            if hold >= 0:
                return self._hold(text, hold, in_code)
        self._buf = text
        return self._scan(final=False)

    def _hold(self, text: str, at: int, in_code: bool) -> list[Piece]:
        """`text[:at]` goes out as text; the fence (or its start) from `at` is held."""
        before, self._buf, self._in_code = text[:at], text[at:], in_code
        self._matcher = Fenced(self.tools) if self._buf.startswith(FENCE) else None
        self._noted(before)
        self.quiet = self.quiet and not self._buf
        return [Piece("text", before, before)] if before else []

    def finish(self) -> list[Piece]:
        """Everything still held: an unfinished construct stays text, thinking stays thinking."""
        return self._scan(final=True)

    # -- scanning --------------------------------------------------------------------------
    def _scan(self, final: bool) -> list[Piece]:
        out: list[Piece] = []
        while self._buf:
            if self._thinking:
                if not self._think(out, final):
                    break
            elif self._matcher is not None:
                if not self._match(out, final):
                    break
            elif not self._plain(out, final):
                break
        held = self._buf or self._thinking or self._after_think
        self.quiet = not (held or self._line_blank)
        return out if len(out) < 2 else _joined(out)

    def _plain(self, out: list[Piece], final: bool) -> bool:
        """Emit text up to the next candidate and start its matcher; False to wait for more."""
        buf, pos = self._buf, 0
        while (at := candidate(buf, pos, True, self._in_code)) >= 0:
            blank = self._blank_before(buf, at)
            kind = _candidate_kind(buf, at, blank, final, self._in_code)
            if kind == "close":
                self._text(out, buf[: at + len(FENCE)])
                self._buf, self._in_code = buf[at + len(FENCE) :], False
                return True
            if kind == "wait":
                self._text(out, buf[:at])
                self._buf = buf[at:]
                return False
            if kind:
                self._text(out, buf[:at])
                self._buf = buf[at:]
                if kind == THINK_OPEN:
                    self._open_think(out)
                else:
                    self._matcher = start_matcher(kind, self.tools)
                return True
            pos = at + 1
        self._text(out, buf)
        self._buf = ""
        return False

    def _match(self, out: list[Piece], final: bool) -> bool:
        assert self._matcher is not None
        result = self._matcher.advance(self._buf, final or len(self._buf) > MAX_HOLD)
        if result is None:  # needs more text
            return False
        end, calls = result
        matcher, self._matcher = self._matcher, None
        if not calls and isinstance(matcher, Fenced) and matcher.line_end > 0:
            self._text(out, self._buf[: matcher.line_end])  # a code block: text to its end
            self._buf, self._in_code = self._buf[matcher.line_end :], True
            return True
        if not calls:  # not a call after all: its first character is text, rescan the rest
            self._text(out, self._buf[:1])
            self._buf = self._buf[1:]
            return True
        source, self._buf = self._buf[:end], self._buf[end:]
        for index, (name, arguments) in enumerate(calls):
            out.append(Piece("tool", "", source if index == 0 else "", name, arguments))
        self.calls += len(calls)
        self._line_blank = True
        return True

    def _open_think(self, out: list[Piece]) -> None:
        self._thinking = True
        self._buf = self._buf[len(THINK_OPEN) :]
        out.append(Piece("thinking", "", THINK_OPEN))

    def _think(self, out: list[Piece], final: bool) -> bool:
        end = self._buf.find(THINK_CLOSE)
        if end >= 0:
            self._thought(out, self._buf[:end], THINK_CLOSE)
            self._buf = self._buf[end + len(THINK_CLOSE) :]
            self._thinking = False
            self._after_think = self._line_blank = True
            return True
        keep = 0 if final else partial_suffix(self._buf, (THINK_CLOSE,))
        self._thought(out, self._buf[: len(self._buf) - keep], "")
        self._buf = self._buf[len(self._buf) - keep :]
        return False

    @staticmethod
    def _thought(out: list[Piece], text: str, tag: str) -> None:
        if text or tag:
            out.append(Piece("thinking", text, text + tag))

    def _text(self, out: list[Piece], text: str) -> None:
        if self._after_think:
            body = text.lstrip()
            if text != body:
                out.append(Piece("thinking", "", text[: len(text) - len(body)]))
            self._after_think, text = not body, body
        if not text:
            return
        out.append(Piece("text", text, text))
        newline = text.rfind("\n")
        tail = text[newline + 1 :] if newline >= 0 else text
        self._line_blank = (newline >= 0 or self._line_blank) and not tail.strip()

    def _blank_before(self, buf: str, at: int) -> bool:
        newline = buf.rfind("\n", 0, at)
        before = buf[newline + 1 : at]
        return (newline >= 0 or self._line_blank) and not before.strip()


def _candidate_kind(buf: str, at: int, line_start: bool, final: bool, in_code: bool) -> str:
    """What may start at `buf[at]`: a matcher kind, THINK_OPEN, "close" (the end of a code
    block), "wait" (unsure yet) or "" (nothing)."""
    char = buf[at]
    if in_code and char != "`":
        return ""
    if char == "{":
        return "json" if line_start else ""
    if char == "`":
        if not line_start:
            return ""
        if buf.startswith(FENCE, at):
            return "close" if in_code else "fence"
        return "wait" if not final and FENCE.startswith(buf[at:]) else ""
    rest = buf[at : at + 12]
    for marker in _MARKERS:
        if rest.startswith(marker):
            if marker == THINK_OPEN:
                return THINK_OPEN if line_start else ""
            return "tool_call" if marker == "<tool_call>" else "function"
        if not final and marker.startswith(rest) and at + len(rest) == len(buf):
            return "wait"
    return ""


def _joined(pieces: list[Piece]) -> list[Piece]:
    """Neighbouring text pieces as one."""
    out: list[Piece] = []
    for piece in pieces:
        if out and piece.kind == "text" and out[-1].kind == "text":
            last = out[-1]
            out[-1] = Piece("text", last.text + piece.text, last.source + piece.source)
        else:
            out.append(piece)
    return out


def parse_text(text: str, tools: Mapping[str, Json]) -> list[Piece]:
    """The pieces of a whole answer (the non-streaming path)."""
    parser = TextToolParser(tools)
    return parser.feed(text) + parser.finish()
