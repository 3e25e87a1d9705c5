"""Tool input schemas (JSON Schema) → the OpenAPI subset Gemini accepts as `parameters`.

Gemini refuses keys outside its Schema message (`additionalProperties`, `$ref`, `const`, …),
type arrays, and string formats other than `enum` / `date-time`. Everything is rebuilt from
an allow-list instead of stripped from a deny-list, so a schema Gemini cannot express comes
out simplified rather than sent to fail: `$ref`s are inlined (a recursive one stops at
`_REF_REPEATS` expansions and becomes a plain object, as does any ref past a budget of
`_MAX_INLINED_REFS` per schema), `allOf` is merged, type arrays and
`anyOf`/`oneOf` with `null` become `nullable`, `const` becomes a one-value `enum`, and values
Gemini cannot enumerate (numbers, booleans) are named in the description instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

Json = dict[str, Any]

_TYPES = {
    "string": "STRING",
    "number": "NUMBER",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
    "array": "ARRAY",
    "object": "OBJECT",
}
_FORMATS = {
    "STRING": frozenset({"enum", "date-time"}),
    "NUMBER": frozenset({"float", "double"}),
    "INTEGER": frozenset({"int32", "int64"}),
}
_COUNTS = {"STRING": ("minLength", "maxLength"), "ARRAY": ("minItems", "maxItems")}
_MAX_DEPTH = 24
_REF_REPEATS = 2
_MAX_INLINED_REFS = 200


@dataclass
class _Budget:
    """How many more `$ref`s one schema may inline: keeps shared refs from multiplying."""

    refs: int = _MAX_INLINED_REFS


@dataclass(frozen=True)
class _Scope:
    root: Json
    budget: _Budget
    refs: tuple[str, ...] = ()
    depth: int = 0

    def deeper(self) -> _Scope:
        return replace(self, depth=self.depth + 1)


def clean_parameters(schema: object) -> Json | None:
    """Gemini `parameters` for a tool's `input_schema`; None when the tool takes no arguments."""
    if not isinstance(schema, dict):
        return None
    cleaned = clean_schema(schema)
    if "anyOf" in cleaned:
        cleaned = _union_object(cleaned)
    cleaned.pop("nullable", None)
    if cleaned.get("type") != "OBJECT" or not cleaned.get("properties"):
        return None
    return cleaned


def clean_schema(schema: object) -> Json:
    """Any JSON Schema as a Gemini Schema (never raises)."""
    root = schema if isinstance(schema, dict) else {}
    return _clean(schema, _Scope(root, _Budget()))


def _clean(node: object, scope: _Scope) -> Json:
    if not isinstance(node, dict) or scope.depth > _MAX_DEPTH:
        return {"type": "STRING"} if not isinstance(node, dict) else _plain_object(node)
    resolved = _deref(node, scope)
    if resolved is None:
        return _plain_object(node)
    node, scope = _merge_all_of(*resolved)
    nullable = node.get("nullable") is True
    branches = _union_branches(node)
    if branches is not None:
        rest = {k: v for k, v in node.items() if k not in ("anyOf", "oneOf")}
        options = [b for b in branches if not _is_null(b)]
        nullable = nullable or len(options) < len(branches)
        if len(options) > 1:
            return _any_of(rest, options, nullable, scope)
        only = options[0] if options and isinstance(options[0], dict) else {}
        node = {**only, **rest}
        resolved = _deref(node, scope)
        if resolved is None:
            return _plain_object(node)
        node, scope = _merge_all_of(*resolved)
    return _typed_or_union(node, nullable or _enum_has_null(node), scope)


def _typed_or_union(node: Json, nullable: bool, scope: _Scope) -> Json:
    declared = node.get("type")
    if isinstance(declared, list):
        names = [t for t in declared if isinstance(t, str)]
        nullable = nullable or "null" in names
        types = [t for t in dict.fromkeys(names) if t != "null" and t.lower() in _TYPES]
        if len(types) > 1:
            variants = [{**node, "type": t} for t in types]
            return _any_of(node, variants, nullable, scope)
        declared = types[0] if types else None
    if declared == "null":
        nullable = True
    kind = _TYPES.get(declared.lower()) if isinstance(declared, str) else None
    return _typed(node, kind or _infer_type(node), nullable, scope)


def _typed(node: Json, kind: str, nullable: bool, scope: _Scope) -> Json:
    out: Json = {"type": kind}
    if isinstance(node.get("title"), str):
        out["title"] = node["title"]
    description = _description(node, kind)
    if description:
        out["description"] = description
    if nullable:
        out["nullable"] = True
    if kind == "OBJECT":
        out.update(_object_fields(node, scope))
    elif kind == "ARRAY":
        out["items"] = _items(node, scope)
    enum = _string_enum(node) if kind == "STRING" else None
    if enum:
        out["enum"] = enum
    fmt = node.get("format")
    if fmt in _FORMATS.get(kind, ()) and (fmt != "enum" or enum):
        out["format"] = fmt
    out.update(_bounds(node, kind))
    return out


def _object_fields(node: Json, scope: _Scope) -> Json:
    properties = node.get("properties")
    if not isinstance(properties, dict) or not properties:
        return {}
    cleaned = {str(name): _clean(sub, scope.deeper()) for name, sub in properties.items()}
    out: Json = {"properties": cleaned}
    required = node.get("required")
    if isinstance(required, list):
        wanted = dict.fromkeys(r for r in required if isinstance(r, str))
        names = [r for r in wanted if r in cleaned]
        if names:
            out["required"] = names
    return out


def _items(node: Json, scope: _Scope) -> Json:
    items = node.get("items")
    if isinstance(items, list):
        items = items[0] if items else None
    if items is None and isinstance(node.get("prefixItems"), list) and node["prefixItems"]:
        items = node["prefixItems"][0]
    return _clean(items, scope.deeper()) if isinstance(items, dict) else {"type": "STRING"}


def _any_of(rest: Json, options: list[Any], nullable: bool, scope: _Scope) -> Json:
    out: Json = {"anyOf": [_clean(option, scope.deeper()) for option in options]}
    for key in ("title", "description"):
        if isinstance(rest.get(key), str) and rest[key]:
            out[key] = rest[key]
    if nullable:
        out["nullable"] = True
    return out


def _union_object(union: Json) -> Json:
    """One object out of a root `anyOf` (Gemini's `parameters` must be an OBJECT)."""
    objects = [b for b in union["anyOf"] if b.get("type") == "OBJECT"]
    properties: Json = {}
    for branch in objects:
        for name, sub in branch.get("properties", {}).items():
            properties.setdefault(name, sub)
    required_sets = [set(b.get("required", [])) for b in objects]
    common = set.intersection(*required_sets) if required_sets else set()
    out: Json = {"type": "OBJECT"}
    if "description" in union:
        out["description"] = union["description"]
    if properties:
        out["properties"] = properties
        if common:
            out["required"] = [name for name in properties if name in common]
    return out


def _deref(node: Json, scope: _Scope) -> tuple[Json, _Scope] | None:
    """The node with its `$ref` chain inlined; None when the ref recurses or resolves nowhere."""
    while isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if scope.refs.count(ref) >= _REF_REPEATS or scope.budget.refs <= 0:
            return None
        scope.budget.refs -= 1
        target = _pointer(scope.root, ref)
        if not isinstance(target, dict):
            return None
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        scope = replace(scope, refs=(*scope.refs, ref))
    return node, scope


def _pointer(root: Json, ref: str) -> object:
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    target: object = root
    for raw in ref[2:].split("/"):
        key = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict):
            target = target.get(key)
        elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
            target = target[int(key)]
        else:
            return None
    return target


def _merge_all_of(node: Json, scope: _Scope) -> tuple[Json, _Scope]:
    parts = node.get("allOf")
    merged = {k: v for k, v in node.items() if k != "allOf"}
    if not isinstance(parts, list) or scope.depth > _MAX_DEPTH:
        return merged, scope
    for part in parts:
        resolved = _deref(part, scope) if isinstance(part, dict) else None
        if resolved is not None:
            part_node, _ = _merge_all_of(resolved[0], resolved[1].deeper())
            merged = _combine(merged, part_node)
    return merged, scope


def _combine(first: Json, second: Json) -> Json:
    out = {**second, **first}
    props = [p for p in (second.get("properties"), first.get("properties")) if isinstance(p, dict)]
    if props:
        out["properties"] = {k: v for p in props for k, v in p.items()}
    lists = [s["required"] for s in (first, second) if isinstance(s.get("required"), list)]
    required = [r for names in lists for r in names if isinstance(r, str)]
    if required:
        out["required"] = list(dict.fromkeys(required))
    return out


def _union_branches(node: Json) -> list[Any] | None:
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and branches:
            return branches
    return None


def _is_null(branch: object) -> bool:
    if not isinstance(branch, dict):
        return False
    kind = branch.get("type")
    return kind == "null" or kind == ["null"] or branch.get("enum") == [None]


def _enum_has_null(node: Json) -> bool:
    enum = node.get("enum")
    return isinstance(enum, list) and None in enum


def _infer_type(node: Json) -> str:
    if any(k in node for k in ("properties", "additionalProperties", "required")):
        return "OBJECT"
    if "items" in node or "prefixItems" in node:
        return "ARRAY"
    values = _enum_values(node)
    if values and all(isinstance(v, bool) for v in values):
        return "BOOLEAN"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "INTEGER"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "NUMBER"
    if "minimum" in node or "maximum" in node:
        return "NUMBER"
    return "STRING"


def _enum_values(node: Json) -> list[Any]:
    if "const" in node:
        return [node["const"]] if node["const"] is not None else []
    enum = node.get("enum")
    return [v for v in enum if v is not None] if isinstance(enum, list) else []


def _string_enum(node: Json) -> list[str] | None:
    values = _enum_values(node)
    if values and all(isinstance(v, str) for v in values):
        return list(dict.fromkeys(values))
    return None


def _description(node: Json, kind: str) -> str:
    text = node.get("description") if isinstance(node.get("description"), str) else ""
    values = _enum_values(node)
    if values and (kind != "STRING" or _string_enum(node) is None):
        listed = ", ".join(json.dumps(v, default=str) for v in values[:20])
        text = f"{text} (one of: {listed})".strip()
    return str(text)


def _bounds(node: Json, kind: str) -> Json:
    out: Json = {}
    for key in _COUNTS.get(kind, ()):
        value = node.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out[key] = value
    if kind in ("NUMBER", "INTEGER"):
        for key in ("minimum", "maximum"):
            value = node.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[key] = value
    return out


def _plain_object(node: Json) -> Json:
    """What a recursive or unresolvable part becomes: an object of any shape."""
    out: Json = {"type": "OBJECT"}
    if isinstance(node.get("description"), str) and node["description"]:
        out["description"] = node["description"]
    return out
