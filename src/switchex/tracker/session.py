"""What a Messages request says about its Claude Code session and working directory (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

SESSION_HEADER = "x-claude-code-session-id"

_PRIMARY = re.compile(r"^[ \t>*-]*Primary working directory:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_OLDER = re.compile(r"^[ \t>*-]*Working directory:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_SESSION_SUFFIX = re.compile(r"_session_([A-Za-z0-9-]+)$")

Headers = Mapping[str, str] | Iterable[tuple[bytes | str, bytes | str]]


def repo_hint(request: Mapping[str, Any]) -> str | None:
    """The `Primary working directory:` of the request's environment block, if any.

    Looked for in system-role messages inside `messages` (Claude Code 2.1.332), then in the
    top-level `system` (older versions), then in the first user message (<system-reminder>).
    """
    messages = request.get("messages")
    messages = [m for m in messages if isinstance(m, Mapping)] if isinstance(messages, list) else []
    system_messages = [m.get("content") for m in messages if m.get("role") == "system"]
    first_user = next((m.get("content") for m in messages if m.get("role") == "user"), None)
    for content in (*system_messages, request.get("system"), first_user):
        if found := _search(_PRIMARY, content):
            return found
    return _search(_OLDER, request.get("system"))


def _search(pattern: re.Pattern[str], content: object) -> str | None:
    for text in _texts(content):
        if match := pattern.search(text):
            return match.group(1).strip()
    return None


def _texts(content: object) -> list[str]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        blocks = [b for b in content if isinstance(b, Mapping)]
        return [b["text"] for b in blocks if isinstance(b.get("text"), str)]
    return []


def session_id(headers: Headers, request: Mapping[str, Any]) -> str:
    """The Claude Code session id: the `x-claude-code-session-id` header, else the one in
    `metadata.user_id` (a JSON string, or `user_…_session_<uuid>`), else ""."""
    if found := _header(headers, SESSION_HEADER):
        return found
    metadata = request.get("metadata")
    user_id = metadata.get("user_id") if isinstance(metadata, Mapping) else None
    if not isinstance(user_id, str):
        return ""
    if user_id.lstrip().startswith("{"):
        try:
            parsed = orjson.loads(user_id)
        except orjson.JSONDecodeError:
            parsed = None
        value = parsed.get("session_id") if isinstance(parsed, dict) else None
        return value.strip() if isinstance(value, str) else ""
    match = _SESSION_SUFFIX.search(user_id.strip())
    return match.group(1) if match else ""


def _header(headers: Headers, name: str) -> str:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in pairs:
        key_text = key.decode("latin-1") if isinstance(key, bytes) else key
        if key_text.lower() == name:
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            if text.strip():
                return text.strip()
    return ""
