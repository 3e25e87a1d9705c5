"""An Anthropic Messages request → a Gemini `generateContent` request body.

`role: "system"` messages inside `messages` (Claude Code puts its environment block, with
the working directory, there) join the top-level `system` in `systemInstruction`, in order,
one part each: Gemini has no mid-conversation system turn, and a user-role copy could split
a function call from its responses. Dropped: `cache_control`, `metadata`,
`context_management`, `output_config`, `service_tier`, `stream` (the URL says it).
Server tools: web search is served by Gemini's `googleSearch` grounding and web fetch by
`urlContext` when the request has no function tools (older Gemini models refuse built-in
tools beside function declarations); any other, or those then, are removed with a note
in the system instruction (providers/server_tools.py).
"""

from __future__ import annotations

import math
from typing import Any

from switchex.errors import RequestError
from switchex.providers.common import blocks_text
from switchex.providers.gemini.contents import build_contents, conversation
from switchex.providers.gemini.ids import to_gemini_name
from switchex.providers.gemini.models import (
    budget_bounds,
    can_disable_thinking,
    needs_signatures,
    output_cap,
    supports_thinking,
)
from switchex.providers.gemini.schema import clean_parameters
from switchex.providers.server_tools import family, server_tools, unavailable_note

Json = dict[str, Any]

MAX_STOP_SEQUENCES = 5
MAX_SAMPLING = {"temperature": 2, "top_p": 1, "top_k": 2**31 - 1}
_MODES = {"auto": "AUTO", "any": "ANY", "tool": "ANY", "none": "NONE"}
BUILT_IN = {"web_search": "googleSearch", "web_fetch": "urlContext"}


def translate_request(request: Json, model: str, max_output_tokens: int | None = None) -> Json:
    """The Gemini request body for `request` served by `model` (never mutates `request`)."""
    turns, system_texts = conversation(request.get("messages"))
    body: Json = {"contents": build_contents(turns, needs_signatures(model))}
    system = system_parts(request.get("system"), system_texts)
    declarations = function_declarations(request.get("tools"))
    built_in, note = built_in_tools(request.get("tools"), bool(declarations))
    if note:
        system.append({"text": note})
    if system:
        body["systemInstruction"] = {"parts": system}
    if declarations:
        body["tools"] = [{"functionDeclarations": declarations}]
        config = tool_config(request.get("tool_choice"), declarations)
        if config:
            body["toolConfig"] = config
    elif built_in:
        body["tools"] = built_in
    generation = generation_config(request, model, max_output_tokens)
    if generation:
        body["generationConfig"] = generation
    return body


def system_parts(system: object, mid_conversation: list[str]) -> list[Json]:
    """Top-level system blocks (each a part: the attribution line stays), then system messages."""
    texts = [system] if isinstance(system, str) else []
    if isinstance(system, list):
        texts = [blocks_text([block]) for block in system]
    return [{"text": text} for text in [*texts, *mid_conversation] if text]


def function_declarations(tools: object) -> list[Json]:
    declarations: list[Json] = []
    seen: set[str] = set()
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict) or tool.get("type") not in (None, "custom"):
            continue
        name = to_gemini_name(tool.get("name"))
        if name in seen or not isinstance(tool.get("name"), str):
            continue
        seen.add(name)
        declaration: Json = {"name": name}
        if isinstance(tool.get("description"), str) and tool["description"]:
            declaration["description"] = tool["description"]
        parameters = clean_parameters(tool.get("input_schema"))
        if parameters:
            declaration["parameters"] = parameters
        declarations.append(declaration)
    return declarations


def built_in_tools(tools: object, has_functions: bool) -> tuple[list[Json], str]:
    """Gemini's own tools for the server tools it can serve, and the note for the rest."""
    wanted = server_tools(tools)
    served: list[Json] = []
    removed: list[Json] = []
    for tool in wanted:
        kind = BUILT_IN.get(family(tool))
        if kind is None or has_functions:
            removed.append(tool)
        elif {kind: {}} not in served:
            served.append({kind: {}})
    return served, unavailable_note(removed) if removed else ""


def tool_config(choice: object, declarations: list[Json]) -> Json | None:
    if not isinstance(choice, dict) or choice.get("type") not in _MODES:
        return None
    config: Json = {"mode": _MODES[choice["type"]]}
    if choice["type"] == "tool":
        name = to_gemini_name(choice.get("name"))
        if any(d["name"] == name for d in declarations):
            config["allowedFunctionNames"] = [name]
    return {"functionCallingConfig": config}


def generation_config(request: Json, model: str, tier_cap: int | None) -> Json:
    config: Json = {}
    max_tokens = _clamped_max_tokens(request.get("max_tokens"), model, tier_cap)
    if max_tokens:
        config["maxOutputTokens"] = max_tokens
    stops = request.get("stop_sequences")
    if isinstance(stops, list):
        kept = [s for s in stops if isinstance(s, str) and s][:MAX_STOP_SEQUENCES]
        if kept:
            config["stopSequences"] = kept
    for ours, theirs in (("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK")):
        value = request.get(ours)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value) or not 0 <= value <= MAX_SAMPLING[ours]:
                raise RequestError(f"{ours}: must be a number from 0 to {MAX_SAMPLING[ours]}")
            config[theirs] = int(value) if theirs == "topK" else value
    thinking = thinking_config(request.get("thinking"), model)
    if thinking:
        config["thinkingConfig"] = thinking
    return config


def _clamped_max_tokens(value: object, model: str, tier_cap: int | None) -> int | None:
    caps = [c for c in (tier_cap, output_cap(model)) if c]
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min([value, *caps])
    return min(caps) if caps else None


def thinking_config(thinking: object, model: str) -> Json | None:
    """Anthropic `thinking` as a Gemini thinkingConfig; None where the model takes none."""
    if not isinstance(thinking, dict) or not supports_thinking(model):
        return None
    kind = thinking.get("type")
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            return {"thinkingBudget": -1, "includeThoughts": True}
        low, high = budget_bounds(model)
        return {"thinkingBudget": max(low, min(high, budget)), "includeThoughts": True}
    if kind == "adaptive":
        return {"thinkingBudget": -1, "includeThoughts": True}
    if kind == "disabled" and can_disable_thinking(model):
        return {"thinkingBudget": 0}
    return None
