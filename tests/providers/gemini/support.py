"""Shared by the gemini tests: fixtures, stream reassembly, request strategies, loopback POST."""

from __future__ import annotations

import base64
import copy
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

Json = dict[str, Any]

FIXTURES = Path(__file__).parents[2] / "fixtures" / "gemini"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def post(url: str, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except http.client.IncompleteRead as error:  # the server dropped the stream
        return 200, error.partial


def assemble(events: list[Json]) -> Json:
    """The message a stream of Anthropic events describes; asserts it is well-formed."""
    if events and events[-1]["type"] == "error":
        assert all(e["type"] != "message_stop" for e in events)
        return {"error": events[-1]["error"]}
    assert events[0]["type"] == "message_start"
    assert events[-1]["type"] == "message_stop"
    message = copy.deepcopy(events[0]["message"])
    blocks: list[Json] = []
    open_index: int | None = None
    partial = ""
    for event in events[1:-1]:
        kind = event["type"]
        if kind == "content_block_start":
            assert open_index is None and event["index"] == len(blocks)
            blocks.append(copy.deepcopy(event["content_block"]))
            open_index, partial = event["index"], ""
        elif kind == "content_block_delta":
            assert event["index"] == open_index
            partial = _apply(blocks[-1], event["delta"], partial)
        elif kind == "content_block_stop":
            assert event["index"] == open_index
            if blocks[-1]["type"] == "tool_use":
                blocks[-1]["input"] = json.loads(partial or "{}")
            open_index = None
        elif kind == "message_delta":
            assert open_index is None
            message.update(event["delta"])
            message["usage"] = {**message["usage"], **event["usage"]}
        else:
            assert kind == "ping", kind
    message["content"] = blocks
    return message


def _apply(block: Json, delta: Json, partial: str) -> str:
    kind = delta["type"]
    if kind == "text_delta":
        block["text"] += delta["text"]
    elif kind == "thinking_delta":
        block["thinking"] += delta["thinking"]
    elif kind == "signature_delta":
        block["signature"] = delta["signature"]
    else:
        assert kind == "input_json_delta"
        return partial + delta["partial_json"]
    return partial


def without_ids(content: list[Json]) -> list[Json]:
    return [{k: v for k, v in block.items() if k != "id"} for block in content]


# -- hypothesis strategies for Anthropic requests -----------------------------------------
texts = st.text(max_size=20)
keys = st.sampled_from(["a", "b", "path", "", "with space", "ünï", "$ref", "0"])
tool_names = st.sampled_from(
    ["Bash", "Read", "mcp__srv__do-it", "9lives", "-dash", "x" * 64, "a_b"]
)
_b64 = st.binary(min_size=1, max_size=12).map(lambda b: base64.b64encode(b).decode())

_leaf_schemas = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "integer", "number", "boolean", "null"])},
        optional={
            "format": st.sampled_from(["uri", "email", "date-time", "date", "uuid", "int32"]),
            "description": keys,
            "default": st.integers(),
            "const": st.one_of(keys, st.integers(), st.booleans()),
            "enum": st.lists(st.one_of(keys, st.integers(), st.none()), max_size=4),
            "exclusiveMinimum": st.integers(),
            "minLength": st.integers(0, 5),
            "pattern": st.just("^(?!x).*$"),
            "examples": st.lists(st.integers(), max_size=2),
            "$comment": keys,
        },
    ),
    st.fixed_dictionaries(
        {
            "type": st.lists(
                st.sampled_from(["string", "integer", "null", "object"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        }
    ),
    st.sampled_from(
        [{}, {"$ref": "#/$defs/Node"}, {"$ref": "#/definitions/Missing"}, {"$ref": "#"}, True]
    ),
)


def _composite_schemas(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(keys, children, max_size=3)},
            optional={
                "required": st.lists(keys, max_size=3),
                "additionalProperties": st.one_of(st.booleans(), children),
                "propertyNames": st.just({"pattern": "^[a-z]+$"}),
                "patternProperties": st.just({"^x": {"type": "string"}}),
                "unevaluatedProperties": st.just(False),
                "dependentRequired": st.just({"a": ["b"]}),
            },
        ),
        st.fixed_dictionaries(
            {"type": st.just("array"), "items": children},
            optional={"minItems": st.integers(0, 3), "uniqueItems": st.booleans()},
        ),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"anyOf": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"oneOf": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"allOf": xs}),
    )


schemas = st.recursive(_leaf_schemas, _composite_schemas, max_leaves=8)
NODE = {
    "type": "object",
    "properties": {
        "value": {"type": ["string", "null"]},
        "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
    },
    "additionalProperties": False,
}
input_schemas = st.fixed_dictionaries(
    {"type": st.just("object"), "properties": st.dictionaries(keys, schemas, max_size=4)},
    optional={
        "$schema": st.just("http://json-schema.org/draft-07/schema#"),
        "$defs": st.just({"Node": NODE}),
        "definitions": st.just({"Missing": {"type": "string"}}),
        "additionalProperties": st.just(False),
        "required": st.lists(keys, max_size=3),
        "$id": st.just("urn:tool"),
    },
)
tools = st.lists(
    st.fixed_dictionaries(
        {"name": tool_names, "input_schema": input_schemas},
        optional={"description": texts, "cache_control": st.just({"type": "ephemeral"})},
    ),
    max_size=4,
    unique_by=lambda t: t["name"],
)

_text_block = st.builds(lambda t: {"type": "text", "text": t}, texts)
_image_block = st.one_of(
    st.builds(
        lambda d, m: {"type": "image", "source": {"type": "base64", "media_type": m, "data": d}},
        _b64,
        st.sampled_from(["image/png", "image/jpeg"]),
    ),
    st.just({"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}),
)
_user_blocks = st.lists(st.one_of(_text_block, _image_block), max_size=3)
_thinking_block = st.builds(
    lambda t, s: {"type": "thinking", "thinking": t, "signature": s},
    texts,
    st.sampled_from(["EqQBCkYIBxgCKkA-claude-signed", "switchex:gemini", ""]),
)
_tool_ids = st.one_of(
    st.from_regex(r"toolu_[a-zA-Z0-9]{10}", fullmatch=True),
    st.builds(
        lambda s: f"toolu_gm0123456789abcdef_s{s}",
        st.from_regex(r"[a-zA-Z0-9_-]{2,10}", fullmatch=True),
    ),
)


@st.composite
def _assistant(draw: st.DrawFn) -> tuple[Json, list[str]]:
    blocks: list[Json] = []
    if draw(st.booleans()):
        blocks.append(draw(_thinking_block))
    if draw(st.booleans()):
        blocks.append({"type": "redacted_thinking", "data": "abc"})
    blocks.extend(draw(st.lists(_text_block, max_size=2)))
    calls = draw(st.lists(st.tuples(_tool_ids, tool_names), max_size=3, unique_by=lambda c: c[0]))
    for tool_id, name in calls:
        blocks.append({"type": "tool_use", "id": tool_id, "name": name, "input": {"x": 1}})
    return {"role": "assistant", "content": blocks}, [c[0] for c in calls]


@st.composite
def _tool_results(draw: st.DrawFn, ids: list[str]) -> list[Json]:
    results = []
    for tool_id in ids:
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing result must not break the request
        content = draw(st.one_of(texts, st.lists(st.one_of(_text_block, _image_block), max_size=2)))
        results.append(
            {
                "type": "tool_result",
                "tool_use_id": tool_id,
                "content": content,
                "is_error": draw(st.booleans()),
            }
        )
    if draw(st.integers(0, 9)) == 0:
        results.append({"type": "tool_result", "tool_use_id": "toolu_orphan", "content": "late"})
    return results


@st.composite
def conversations(draw: st.DrawFn) -> list[Json]:
    messages: list[Json] = []
    pending: list[str] = []
    for turn in range(draw(st.integers(1, 5))):
        blocks = draw(_tool_results(pending)) + draw(_user_blocks)
        use_string = not blocks and draw(st.booleans())
        messages.append({"role": "user", "content": draw(texts) if use_string else blocks})
        if turn == 0 or draw(st.booleans()):
            env = "Primary working directory: /tmp/repo\nIs a git repository: true"
            messages.append(
                {
                    "role": "system",
                    "content": draw(st.sampled_from([env, [{"type": "text", "text": env}]])),
                }
            )
        message, pending = draw(_assistant())
        if draw(st.integers(0, 4)) or pending:
            messages.append(message)
        else:
            pending = []
    return messages


requests = st.fixed_dictionaries(
    {
        "model": st.just("claude-opus-5-5"),
        "max_tokens": st.integers(1, 200_000),
        "messages": conversations(),
    },
    optional={
        "system": st.one_of(
            texts,
            st.lists(
                st.builds(
                    lambda t: {"type": "text", "text": t, "cache_control": {"type": "ephemeral"}},
                    texts,
                ),
                max_size=3,
            ),
        ),
        "tools": tools,
        "tool_choice": st.sampled_from(
            [{"type": "auto"}, {"type": "any"}, {"type": "none"}, {"type": "tool", "name": "Bash"}]
        ),
        "thinking": st.one_of(
            st.builds(
                lambda b: {"type": "enabled", "budget_tokens": b}, st.integers(1024, 100_000)
            ),
            st.just({"type": "adaptive", "display": "omitted"}),
            st.just({"type": "disabled"}),
        ),
        "stop_sequences": st.lists(texts, max_size=8),
        "temperature": st.floats(0, 1),
        "top_p": st.floats(0, 1),
        "top_k": st.integers(1, 100),
        "stream": st.booleans(),
        "metadata": st.just({"user_id": '{"session_id": "abc"}'}),
        "context_management": st.just(
            {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]}
        ),
        "output_config": st.just({"effort": "medium"}),
        "service_tier": st.just("auto"),
    },
)
