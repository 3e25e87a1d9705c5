"""Fifty varied Anthropic-format requests, the kinds Claude Code and SDK users send.

Text and streams, a small tool set (offered, forced, any), tool results (ok and error),
multi-turn conversations, system prompts (string, blocks with cache_control, a system-role
message inside `messages` as Claude Code sends it), stop sequences and small output caps.
Every request asks for few tokens, so the fifty run in a couple of minutes on two threads.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

Json = dict[str, Any]

MAX_TOKENS = 48

TOOLS: list[Json] = [
    {
        "name": "get_weather",
        "description": "Current weather of a city.",
        "input_schema": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
    {
        "name": "add",
        "description": "Add two numbers.",
        "input_schema": {
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"],
        },
    },
    {
        "name": "search_notes",
        "description": "Search the user's notes.",
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 10},
            },
            "required": ["query"],
        },
    },
]

CITIES = ["Paris", "Tokyo", "Lima", "Oslo", "Nairobi"]
QUESTIONS = [
    "What is the capital of France?",
    "Name three colours.",
    "Write one short sentence about the sea.",
    "What is 2 + 2?",
    "Say hello.",
]


def user(text: str) -> Json:
    return {"role": "user", "content": text}


def _base(messages: list[Json], **extra: Any) -> Json:
    return {"model": "claude-sonnet-4-5", "max_tokens": MAX_TOKENS, "messages": messages, **extra}


def text(i: int) -> Json:
    return _base([user(QUESTIONS[i])])


def system_blocks(i: int) -> Json:
    system = [
        {"type": "text", "text": "You are terse."},
        {"type": "text", "text": "Answer in one line.", "cache_control": {"type": "ephemeral"}},
    ]
    return _base([user(QUESTIONS[i])], system=system, temperature=0.2)


def claude_code_shape(i: int) -> Json:
    """A system-role message after the first user message, as Claude Code 2.1.332 sends."""
    environment = {"role": "system", "content": "Primary working directory: /tmp/project"}
    return _base(
        [user(QUESTIONS[i]), environment],
        system="You are a coding assistant.",
        thinking={"type": "adaptive"},
        metadata={"user_id": '{"session_id": "s"}'},
    )


def multi_turn(i: int) -> Json:
    return _base(
        [
            user("My name is Ada."),
            {"role": "assistant", "content": [{"type": "text", "text": "Hello Ada!"}]},
            user(f"What is my name? Also: {QUESTIONS[i]}"),
        ]
    )


def stop_and_cap(i: int) -> Json:
    return _base([user("Count from 1 to 50, separated by commas.")], stop_sequences=[f"{i + 7}"])


def tools_offered(i: int) -> Json:
    return _base([user(f"What is the weather in {CITIES[i]}?")], tools=TOOLS)


def tool_forced(i: int) -> Json:
    choice = {"type": "tool", "name": "get_weather"}
    return _base([user(f"Weather in {CITIES[i]}, please.")], tools=TOOLS, tool_choice=choice)


def tool_any(i: int) -> Json:
    question = f"Add {i + 3} and {i * 7 + 1}."
    return _base([user(question)], tools=TOOLS, tool_choice={"type": "any"})


def _tool_round(i: int, result: str, is_error: bool) -> list[Json]:
    call_id = f"toolu_{i:02d}weather"
    call = {"type": "tool_use", "id": call_id, "name": "get_weather", "input": {"city": CITIES[i]}}
    answer: Json = {"type": "tool_result", "tool_use_id": call_id, "content": result}
    if is_error:
        answer["is_error"] = True
    return [
        user(f"What is the weather in {CITIES[i]}?"),
        {"role": "assistant", "content": [call]},  # no text beside the call: `content: null`
        {"role": "user", "content": [answer]},
    ]


def tool_result(i: int) -> Json:
    return _base(_tool_round(i, f"{12 + i} degrees, sunny", False), tools=TOOLS)


def tool_result_error(i: int) -> Json:
    return _base(_tool_round(i, "weather service unavailable", True), tools=TOOLS)


KINDS: list[Callable[[int], Json]] = [
    text,
    system_blocks,
    claude_code_shape,
    multi_turn,
    stop_and_cap,
    tools_offered,
    tool_forced,
    tool_any,
    tool_result,
    tool_result_error,
]


def catalogue() -> list[tuple[str, Json]]:
    """(id, request) × 50: every kind five times, streamed and whole alternately."""
    cases = []
    for (k, kind), i in itertools.product(enumerate(KINDS), range(5)):
        stream = (i + k) % 2 == 0
        cases.append(
            (
                f"{kind.__name__}-{i}-{'stream' if stream else 'whole'}",
                {**kind(i), "stream": stream},
            )
        )
    return cases
