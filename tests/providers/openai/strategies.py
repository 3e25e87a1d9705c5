"""Hypothesis strategies: valid Anthropic Messages requests as Claude Code could send them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from switchex.providers.common import to_anthropic_tool_id

Json = dict[str, Any]

MODELS = [
    "gpt-4o",
    "deepseek-chat",
    "deepseek-reasoner",
    "deepseek/deepseek-r1",
    "o3-mini",
    "qwen2.5-coder:7b",
]
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,15}", fullmatch=True)
texts = st.text(min_size=1, max_size=20)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
tool_inputs = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
tool_ids = st.from_regex(r"toolu_[A-Za-z0-9]{6,12}", fullmatch=True) | st.text(
    min_size=1, max_size=20
).map(to_anthropic_tool_id)


def text_block(text: str) -> Json:
    return {"type": "text", "text": text}


PNG = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
image_blocks = st.sampled_from(
    [
        {"type": "image", "source": PNG},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
    ]
)
document_blocks = texts.map(
    lambda t: {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": t},
    }
)
user_blocks = st.lists(texts.map(text_block) | image_blocks | document_blocks, max_size=3)
system_values = st.none() | texts | st.lists(texts.map(text_block), min_size=1, max_size=3)


system_messages = st.lists(
    st.builds(
        lambda c: {"role": "system", "content": c},
        texts | st.lists(texts.map(text_block), min_size=1, max_size=2),
    ),
    max_size=1,
)


@st.composite
def tool_results(draw: st.DrawFn, ids: list[str]) -> list[Json]:
    results = []
    for tool_id in ids:
        content = draw(
            st.none() | texts | st.lists(texts.map(text_block) | image_blocks, max_size=2)
        )
        block: Json = {"type": "tool_result", "tool_use_id": tool_id}
        if content is not None:
            block["content"] = content
        if draw(st.booleans()):
            block["is_error"] = True
        results.append(block)
    return results


@st.composite
def assistant_turn(draw: st.DrawFn, tool_names: list[str], used: set[str]) -> Json:
    blocks: list[Json] = []
    if draw(st.booleans()):
        blocks.append(
            {"type": "thinking", "thinking": draw(st.text(max_size=20)), "signature": "s"}
        )
    if draw(st.booleans()):
        blocks.append({"type": "redacted_thinking", "data": "abc"})
    if draw(st.booleans()):
        blocks.append(text_block(draw(texts)))
    for _ in range(draw(st.integers(0, 2))):
        tool_id = draw(tool_ids.filter(lambda i: i not in used))
        used.add(tool_id)
        name = draw(st.sampled_from(tool_names))
        blocks.append({"type": "tool_use", "id": tool_id, "name": name, "input": draw(tool_inputs)})
    return {"role": "assistant", "content": blocks or [text_block("ok")]}


@st.composite
def conversations(draw: st.DrawFn, tool_names: list[str]) -> list[Json]:
    messages: list[Json] = []
    owed: list[str] = []
    used: set[str] = set()
    for _ in range(draw(st.integers(1, 3))):
        content = draw(tool_results(owed)) + draw(user_blocks)
        messages.append({"role": "user", "content": content or [text_block("hi")]})
        messages.extend(draw(system_messages))
        turn = draw(assistant_turn(tool_names, used))
        messages.append(turn)
        messages.extend(draw(system_messages))  # even between tool calls and their results
        owed = [b["id"] for b in turn["content"] if b["type"] == "tool_use"]
    final = draw(tool_results(owed)) + draw(user_blocks)
    messages.append({"role": "user", "content": final or [text_block("go on")]})
    return messages


@st.composite
def anthropic_requests(draw: st.DrawFn) -> Json:
    tool_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    request: Json = {
        "model": "claude-opus-5-5",
        "max_tokens": draw(st.integers(1, 200_000)),
        "messages": draw(conversations(tool_names)),
        "tools": [
            {"name": n, "description": "d", "input_schema": {"type": "object", "properties": {}}}
            for n in tool_names
        ],
        "stream": draw(st.booleans()),
        "thinking": {"type": "adaptive"},
        "metadata": {"user_id": "u"},
    }
    system = draw(system_values)
    if system is not None:
        request["system"] = system
    choice = draw(st.sampled_from(["auto", "any", "none", "tool", None]))
    if choice is not None:
        request["tool_choice"] = {"type": choice, "disable_parallel_tool_use": draw(st.booleans())}
        if choice == "tool":
            request["tool_choice"]["name"] = tool_names[0]
    optional = {
        "temperature": st.floats(0, 1),
        "top_p": st.floats(0, 1),
        "top_k": st.integers(1, 100),
        "stop_sequences": st.lists(texts, max_size=6),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            request[key] = draw(strategy)
    return request
