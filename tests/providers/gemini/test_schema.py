from typing import Any

import pytest
from hypothesis import given, settings

from switchex.fakes.gemini import validate_request
from switchex.providers.gemini.schema import clean_parameters, clean_schema

from .support import input_schemas, schemas


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "format": "uri"}, {"type": "STRING"}),
        ({"type": "string", "format": "date-time"}, {"type": "STRING", "format": "date-time"}),
        ({"type": "integer", "format": "int64"}, {"type": "INTEGER", "format": "int64"}),
        ({"type": ["string", "null"]}, {"type": "STRING", "nullable": True}),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, {"type": "INTEGER", "nullable": True}),
        ({"const": "fast"}, {"type": "STRING", "enum": ["fast"]}),
        ({"const": 3}, {"type": "INTEGER", "description": "(one of: 3)"}),
        ({"enum": ["a", None]}, {"type": "STRING", "nullable": True, "enum": ["a"]}),
        (
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "default": 1,
                "examples": [2],
                "$comment": "x",
            },
            {"type": "NUMBER"},
        ),
        (
            {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "id"},
            {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}], "description": "id"},
        ),
        (
            {"type": ["string", "integer"]},
            {"anyOf": [{"type": "STRING"}, {"type": "INTEGER"}]},
        ),
        (
            {"type": "object", "additionalProperties": {"type": "string"}},
            {"type": "OBJECT"},
        ),
        ({"type": "array"}, {"type": "ARRAY", "items": {"type": "STRING"}}),
        (
            {
                "allOf": [
                    obj(a={"type": "string"}),
                    {"required": ["a"], **obj(b={"type": "boolean"})},
                ]
            },
            {
                "type": "OBJECT",
                "properties": {"a": {"type": "STRING"}, "b": {"type": "BOOLEAN"}},
                "required": ["a"],
            },
        ),
    ],
)
def test_schema_is_rewritten_into_what_gemini_accepts(schema: Any, expected: Any) -> None:
    assert clean_schema(schema) == expected


def test_refs_are_inlined_and_recursion_ends_in_a_plain_object() -> None:
    schema = {
        **obj(root={"$ref": "#/$defs/Node"}),
        "$defs": {"Node": obj(kid={"$ref": "#/$defs/Node"}, name={"type": "string"})},
    }
    root = clean_schema(schema)["properties"]["root"]
    assert root["properties"]["name"] == {"type": "STRING"}
    assert root["properties"]["kid"]["properties"]["kid"] == {"type": "OBJECT"}


def test_unresolvable_ref_becomes_a_plain_object() -> None:
    assert clean_schema(obj(a={"$ref": "other.json#/x"}))["properties"]["a"] == {"type": "OBJECT"}


def test_required_names_without_a_property_are_dropped() -> None:
    schema = {**obj(a={"type": "string"}), "required": ["a", "ghost"]}
    assert clean_parameters(schema) == {
        "type": "OBJECT",
        "properties": {"a": {"type": "STRING"}},
        "required": ["a"],
    }


@pytest.mark.parametrize("schema", [obj(), {"type": "object"}, {}, None, "nonsense"])
def test_tools_without_arguments_send_no_parameters(schema: Any) -> None:
    assert clean_parameters(schema) is None


def test_a_root_union_becomes_one_object() -> None:
    schema = {
        "anyOf": [
            {**obj(a={"type": "string"}, b={"type": "string"}), "required": ["a", "b"]},
            {**obj(a={"type": "string"}), "required": ["a"]},
        ]
    }
    cleaned = clean_parameters(schema)
    assert cleaned is not None
    assert set(cleaned["properties"]) == {"a", "b"} and cleaned["required"] == ["a"]


@settings(max_examples=150, deadline=None)
@given(schemas)
def test_any_schema_cleans_to_something_gemini_accepts(schema: Any) -> None:
    parameters = {"type": "OBJECT", "properties": {"value": clean_schema(schema)}}
    assert _accepted(parameters)


@settings(max_examples=100, deadline=None)
@given(input_schemas)
def test_any_tool_input_schema_becomes_valid_parameters(schema: Any) -> None:
    parameters = clean_parameters(schema)
    assert parameters is None or _accepted(parameters)


def _accepted(parameters: dict[str, Any]) -> bool:
    body = {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "tools": [{"functionDeclarations": [{"name": "tool", "parameters": parameters}]}],
    }
    problem = validate_request(body, "gemini-2.5-flash")
    assert problem is None, problem
    return True
