"""What llama.cpp's OpenAI-compatible servers need (a tier with `server: llama.cpp`). Pure.

Measured against llama-cpp-python 0.3.36's server (`--chat_format chatml-function-calling`):
- `tools` without `tool_choice` are ignored: `tool_choice: "auto"` is sent explicitly;
- `tool_choice: "required"` (Anthropic's `any`) is a 500: the only tool is forced by name, or
  among several the model may choose (`auto`);
- its template describes the tools inside the system message only: a request with tools
  starts with one (empty when the client sent none);
- a stream with tools answers 200 with no data chunks (and forced tool calls repeat `id` and
  `name` in every chunk): a request with tools goes upstream non-streaming, and the stream
  translator turns the whole completion into Anthropic stream events (the relay pings the
  client while the server computes it);
- with `tool_choice: "auto"` a text reply is always empty (its grammar for the message allows
  nothing but a tool name or the end): it becomes an empty text block, never a stream or
  message without blocks (response.py);
- its grammar does not always hold: tool arguments can be broken JSON; a whole answer (as
  every answer with tools is, asked whole) says them as text (response.py);
- an assistant message with `content: null` beside `tool_calls` is rejected (messages.py
  always sends a string);
- beside `tool_calls` it also returns the legacy `function_call` (with a stray colon in its
  name): response.py ignores it when `tool_calls` is there.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

SERVER = "llama.cpp"


def adapt_request(body: Json) -> Json:
    """A copy of a chat-completions `body` that llama.cpp's server serves as meant."""
    out = dict(body)
    tools = out.get("tools")
    if not tools:
        return out
    out["tool_choice"] = _tool_choice(out.get("tool_choice"), tools)
    if out.pop("stream", False):
        out.pop("stream_options", None)
    messages = out["messages"]
    if not messages or messages[0].get("role") != "system":
        out["messages"] = [{"role": "system", "content": ""}, *messages]
    return out


def _tool_choice(choice: object, tools: list[Json]) -> object:
    """`auto` when unset; `required` (a 500) forces the only tool, or is `auto` among several."""
    if choice is None:
        return "auto"
    if choice == "required":
        if len(tools) == 1:
            return {"type": "function", "function": {"name": tools[0]["function"]["name"]}}
        return "auto"
    return choice
