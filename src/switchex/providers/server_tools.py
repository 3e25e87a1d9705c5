"""Anthropic server tools (web search, web fetch, code execution) on tiers that are not Claude.

Claude Code may list tools with a `type` other than `custom` (`web_search_20250305`,
`web_fetch_20250910`, `code_execution_20250825`): Anthropic runs them, not the client. A
translator either serves one with its own provider's equivalent or removes it — and then tells
the model so with one line added to the system prompt, so it neither calls a tool that is not
there nor leaves Claude Code waiting for a result that never comes. Never silently.
"""

from __future__ import annotations

import re
from typing import Any

Json = dict[str, Any]

_VERSION = re.compile(r"_\d{8}$")


def server_tools(tools: object) -> list[Json]:
    """The request's tools that have a `type` other than `custom` (run by Anthropic)."""
    listed = tools if isinstance(tools, list) else []
    return [t for t in listed if isinstance(t, dict) and t.get("type") not in (None, "custom")]


def family(tool: Json) -> str:
    """`web_search`, `web_fetch`, `code_execution`, … : the type without its version date."""
    return _VERSION.sub("", str(tool.get("type") or ""))


def tool_label(tool: Json) -> str:
    name = tool.get("name")
    return name if isinstance(name, str) and name else family(tool)


def unavailable_note(tools: list[Json]) -> str:
    """The line for the system prompt naming the server tools this tier cannot serve."""
    names = ", ".join(sorted({tool_label(tool) for tool in tools}))
    return (
        f"[switchex] The tool(s) {names} are not available on this fallback model: do not "
        "call them; answer with the other tools or say what you could not look up."
    )
