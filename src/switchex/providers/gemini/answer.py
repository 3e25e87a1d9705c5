"""Pieces of a Gemini answer both translators read: parts, finish reasons, usage, refusals."""

from __future__ import annotations

from typing import Any

from switchex.providers.common import empty_usage

Json = dict[str, Any]

# The answer was withheld by a filter: Anthropic calls that a refusal.
REFUSALS = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "LANGUAGE",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    }
)

# Gemini gave up on its own answer: the turn ends with a text saying why.
_EXPLAINED = {
    "MALFORMED_FUNCTION_CALL": "Gemini produced a malformed tool call and stopped.",
    "UNEXPECTED_TOOL_CALL": "Gemini called a tool that was not offered and stopped.",
    "TOO_MANY_TOOL_CALLS": "Gemini made too many tool calls in one turn and stopped.",
    "MISSING_THOUGHT_SIGNATURE": "Gemini rejected the conversation's tool-call history.",
    "MALFORMED_RESPONSE": "Gemini produced a malformed answer and stopped.",
}


NO_ANSWER = "Gemini returned no answer."


def first_candidate(response: Json) -> Json | None:
    candidates = response.get("candidates")
    if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
        return candidates[0]
    return None


def candidate_parts(candidate: Json | None) -> list[Json]:
    content = candidate.get("content") if candidate else None
    parts = content.get("parts") if isinstance(content, dict) else None
    return [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []


def finish_reason(candidate: Json | None) -> str | None:
    reason = candidate.get("finishReason") if candidate else None
    return reason if isinstance(reason, str) and reason else None


def stop_reason(finish: str | None, has_calls: bool) -> str:
    if finish == "MAX_TOKENS":
        return "max_tokens"
    if finish in REFUSALS:
        return "refusal"
    return "tool_use" if has_calls else "end_turn"


def closing_text(response: Json, finish: str | None, has_text: bool) -> str | None:
    """A short text the user should see about why the answer ended as it did, if any."""
    feedback = response.get("promptFeedback")
    blocked = feedback.get("blockReason") if isinstance(feedback, dict) else None
    if blocked:
        return f"Gemini blocked this request ({blocked})."
    if no_answer(response):
        return NO_ANSWER
    if finish in _EXPLAINED:
        return _EXPLAINED[finish]
    if finish in REFUSALS and not has_text:
        return f"Gemini withheld its answer ({finish})."
    return None


def no_answer(response: Json) -> bool:
    """True when the response holds no candidate at all (a blocked or empty prompt)."""
    return first_candidate(response) is None


def usage(metadata: object) -> Json:
    """Gemini usageMetadata as Anthropic usage (cached prompt tokens are cache reads)."""
    out = empty_usage()
    if not isinstance(metadata, dict):
        return out
    prompt = _count(metadata, "promptTokenCount") + _count(metadata, "toolUsePromptTokenCount")
    cached = _count(metadata, "cachedContentTokenCount")
    out["input_tokens"] = max(0, prompt - cached)
    out["cache_read_input_tokens"] = cached
    out["output_tokens"] = _count(metadata, "candidatesTokenCount") + _count(
        metadata, "thoughtsTokenCount"
    )
    return out


def _count(metadata: Json, key: str) -> int:
    value = metadata.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def served_model(response: Json, fallback: str) -> str:
    version = response.get("modelVersion")
    return version if isinstance(version, str) and version else fallback


def call_args(part: Json) -> Json:
    call = part.get("functionCall")
    args = call.get("args") if isinstance(call, dict) else None
    return args if isinstance(args, dict) else {}
