import pytest

from switchex.providers.texttools_json import JsonExtent, call_of, fits_schema

SCHEMA = {
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "limit": {"type": "integer"},
        "ratio": {"type": "number"},
        "all": {"type": "boolean"},
        "tags": {"type": ["array", "null"]},
    },
    "required": ["path"],
}


@pytest.mark.parametrize(
    ("arguments", "fits"),
    [
        ({"path": "a"}, True),
        ({"path": "a", "limit": 3, "ratio": 3, "all": True, "tags": None}, True),
        ({"path": "a", "extra": {"free": "form"}}, True),  # only declared keys are typed
        ({}, False),
        ({"path": 1}, False),
        ({"path": "a", "limit": True}, False),  # a boolean is not an integer
        ({"path": "a", "limit": 2.5}, False),
        ({"path": "a", "tags": "x"}, False),
    ],
)
def test_required_keys_and_top_level_types(arguments: dict[str, object], fits: bool) -> None:
    assert fits_schema(SCHEMA, arguments) is fits


def test_a_call_names_a_known_tool_and_carries_arguments() -> None:
    tools = {"Read": SCHEMA}
    assert call_of({"name": "Read", "arguments": '{"path": "a"}'}, tools) == ("Read", {"path": "a"})
    assert call_of({"function": {"name": "Read", "input": {"path": "a"}}}, tools)
    assert call_of({"name": "Write", "arguments": {"path": "a"}}, tools) is None
    assert call_of({"name": "Read", "arguments": "not json"}, tools) is None
    assert call_of(["Read"], tools) is None


def test_the_extent_of_a_value_streamed_in_pieces() -> None:
    text = '{"a": "}\\"{", "b": [1, {"c": "]"}]} tail'
    extent = JsonExtent(0)
    for size in range(1, len(text)):
        found = extent.end(text[:size])
        if found is not None:
            break
    assert text[:found] == '{"a": "}\\"{", "b": [1, {"c": "]"}]}'
    assert extent.end(text) == found  # asked again, the same end
