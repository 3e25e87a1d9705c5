"""Claude Code's model names as Vertex AI's Claude model ids (`name@date`)."""

from __future__ import annotations

import re

DEFAULT_MODELS = {
    "claude-opus-4-5": "claude-opus-4-5@20251101",
    "claude-sonnet-4-5": "claude-sonnet-4-5@20250929",
    "claude-haiku-4-5": "claude-haiku-4-5@20251001",
    "claude-opus-4-1": "claude-opus-4-1@20250805",
    "claude-opus-4": "claude-opus-4@20250514",
    "claude-sonnet-4": "claude-sonnet-4@20250514",
}
_DATED = re.compile(r"^(claude-[a-z0-9-]+?)-(\d{8})$")


def vertex_model(name: str) -> str:
    """The Vertex id for `name`: a known alias, `claude-x-YYYYMMDD` → `claude-x@YYYYMMDD`,
    or the name unchanged (already a Vertex id, or one the tier's `models` chose)."""
    if name in DEFAULT_MODELS:
        return DEFAULT_MODELS[name]
    dated = _DATED.match(name)
    return f"{dated.group(1)}@{dated.group(2)}" if dated else name
