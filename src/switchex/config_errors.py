"""Configuration errors in a person's words: file and line, 1-based tier, "did you mean".

pydantic reports `tiers.1.modles: Extra inputs are not permitted`; this module turns that into
`switchex.yaml:7: tier 2 (gemini-flash): unknown key "modles" (did you mean "models"?)`. Lines
come from the YAML node tree (`yaml.compose`), so they point at the key the user wrote.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

Loc = Sequence[int | str]


def node_at(root: yaml.Node | None, loc: Loc, key: bool = False) -> yaml.Node | None:
    """The YAML node at `loc` (the key's node when `key`), or the deepest one found."""
    node = root
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == part]
            if not match:
                return node
            node = match[0][0] if (last and key) else match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model whose keys live at `loc` (for "did you mean")."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        is_model = isinstance(current, type) and issubclass(current, BaseModel)
        field = current.model_fields.get(part) if is_model else None
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def where(data: Any, loc: Loc) -> str:
    """`tier 2 (gemini-flash)` and the rest of the path, 1-based, from a pydantic loc."""
    if len(loc) >= 2 and loc[0] == "tiers" and isinstance(loc[1], int):
        tiers = data.get("tiers") if isinstance(data, dict) else None
        tier = tiers[loc[1]] if isinstance(tiers, list) and loc[1] < len(tiers) else None
        name = tier.get("name") if isinstance(tier, dict) else None
        label = f"tier {loc[1] + 1}" + (f" ({name})" if isinstance(name, str) else "")
        rest = ".".join(str(p) for p in loc[2:])
        return f"{label}: {rest}" if rest else label
    return ".".join(str(p) for p in loc) or "(top level)"


def _prefix(source: str, root: yaml.Node | None, loc: Loc, key: bool = False) -> str:
    node = node_at(root, loc, key)
    return f"{source}:{node.start_mark.line + 1}" if node is not None else source


def describe(
    error: ValidationError,
    model: type[BaseModel],
    data: Any,
    source: str,
    root: yaml.Node | None = None,
) -> str:
    """Every problem on its own line, each starting with `file:line`."""
    lines = [f"{source}: invalid configuration"]
    for item in error.errors():
        loc = [p for p in item["loc"] if p != "source"]
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            known = list(parent.model_fields) if parent is not None else []
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            message = f'unknown key "{loc[-1]}"{hint}'
            head = _prefix(source, root, loc, key=True)
            lines.append(f"  {head}: {where(data, loc[:-1])}: {message}")
            continue
        if item["type"] == "missing":
            message = f'"{loc[-1]}" is required'
            head = _prefix(source, root, loc[:-1])
            lines.append(f"  {head}: {where(data, loc[:-1])}: {message}")
            continue
        lines.append(f"  {_prefix(source, root, loc)}: {where(data, loc)}: {message}")
    return "\n".join(lines)


def unset_vars(
    unset: Sequence[tuple[Loc, str]], data: Any, source: str, root: yaml.Node | None
) -> str:
    """The message for `${VAR}`s left unset in fields that cannot be empty."""
    lines = [f"{source}: environment variable(s) not set"]
    for loc, name in unset:
        lines.append(f"  {_prefix(source, root, loc)}: {where(data, loc)}: ${{{name}}} is not set")
    return "\n".join(lines)
