"""The strictness of the fake Gemini: a pure check of a generateContent request body.

Mirrors what the real API refuses with 400 INVALID_ARGUMENT (messages worded like Google's):
unknown fields anywhere (snake_case aliases of known fields are accepted, as proto3 JSON
parsing does), roles other than user/model, empty contents or parts, parts without exactly
one data field, empty text, bad base64, invalid or duplicate function names, schema keys
outside Gemini's Schema (`additionalProperties`, `$ref`, `const`, …), type arrays, string
formats other than `enum`/`date-time`, `required` names that are no property, function call
turns not right after a user turn, response turns whose count differs from the call turn's,
and, for `gemini-3*` models, a model turn whose first function call has no thoughtSignature.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

Json = dict[str, Any]
Turn = tuple[str, list[Json]]

_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
_TOP = {"contents", "tools", "toolConfig", "safetySettings", "systemInstruction"}
_TOP |= {"generationConfig", "cachedContent"}
_PART_DATA: tuple[str, ...] = ("text", "inlineData", "fileData", "functionCall")
_PART_DATA += ("functionResponse", "executableCode", "codeExecutionResult")
_PART_META = {"thought", "thoughtSignature", "videoMetadata", "partMetadata"}
_TOOL = {"functionDeclarations", "googleSearch", "googleSearchRetrieval", "codeExecution"}
_TOOL |= {"urlContext"}
_DECLARATION = {"name", "description", "parameters", "parametersJsonSchema", "behavior"}
_DECLARATION |= {"response", "responseJsonSchema"}
_SCHEMA = {"type", "format", "title", "description", "nullable", "enum", "maxItems"}
_SCHEMA |= {"minItems", "properties", "required", "minProperties", "maxProperties"}
_SCHEMA |= {"minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering"}
_SCHEMA |= {"default", "items", "minimum", "maximum"}
_TYPES = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}
_STRING_FORMATS = {"enum", "date-time"}
_GENERATION = {"stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema"}
_GENERATION |= {"responseModalities", "candidateCount", "maxOutputTokens", "temperature"}
_GENERATION |= {"topP", "topK", "seed", "presencePenalty", "frequencyPenalty"}
_GENERATION |= {"responseLogprobs", "logprobs", "thinkingConfig", "mediaResolution"}
_MODES = {"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"}
_ALWAYS_THINKS = ("gemini-2.5-pro", "gemini-3")


class Invalid(Exception):
    """One reason the request is refused."""


def validate_request(body: object, model: str) -> str | None:
    """Why the real API would answer 400 to `body` for `model`; None when it is acceptable."""
    try:
        request = _fields(body, _TOP, "GenerateContentRequest")
        declared = _tools(request.get("tools"))
        _contents(request.get("contents"), model)
        if "systemInstruction" in request:
            _system(request["systemInstruction"])
        if "toolConfig" in request:
            _tool_config(request["toolConfig"], declared)
        if "generationConfig" in request:
            _generation(request["generationConfig"], model)
    except Invalid as problem:
        return str(problem)
    return None


def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)


def _fields(value: object, allowed: set[str], path: str) -> Json:
    """`value` as an object with camelCase keys, refusing keys Google does not know."""
    if not isinstance(value, dict):
        raise Invalid(f"Invalid JSON payload received. Expected an object at '{path}'.")
    out: Json = {}
    for key, item in value.items():
        name = _camel(key) if isinstance(key, str) else ""
        if name not in allowed:
            raise Invalid(
                f"Invalid JSON payload received. Unknown name \"{key}\" at '{path}': "
                "Cannot find field."
            )
        out[name] = item
    return out


def _contents(contents: object, model: str) -> None:
    if not isinstance(contents, list) or not contents:
        raise Invalid("* GenerateContentRequest.contents: contents is not specified")
    turns = [_content(c, f"contents[{i}]") for i, c in enumerate(contents)]
    for index, (role, parts) in enumerate(turns):
        calls = [p["functionCall"] for p in parts if "functionCall" in p]
        responses = [p for p in parts if "functionResponse" in p]
        if (calls and role != "model") or (responses and role != "user"):
            raise Invalid("Function calls belong in model turns and responses in user turns.")
        before = turns[index - 1] if index else None
        if calls:
            _call_turn(index, before, parts, model)
        if responses or (before and role == "user" and _count_calls(before[1])):
            _response_turn(before, len(responses))


def _content(content: object, path: str) -> Turn:
    fields = _fields(content, {"role", "parts"}, path)
    role = fields.get("role", "user")
    if role not in ("user", "model"):
        raise Invalid(f"Please use a valid role: user, model. (got {role!r} at {path})")
    parts = fields.get("parts")
    if not isinstance(parts, list) or not parts:
        raise Invalid(f"* GenerateContentRequest.{path}.parts: contents.parts must not be empty.")
    return role, [_part(p, f"{path}.parts[{i}]") for i, p in enumerate(parts)]


def _part(part: object, path: str) -> Json:
    fields = _fields(part, {*_PART_DATA, *_PART_META}, path)
    data = [k for k in _PART_DATA if k in fields]
    if len(data) != 1:
        raise Invalid(f"* {path}: required oneof field 'data' must have one initialized field")
    kind = data[0]
    if kind == "text" and (not isinstance(fields["text"], str) or not fields["text"]):
        raise Invalid("Unable to submit request because it has an empty text parameter.")
    if kind == "inlineData":
        inline = _fields(fields["inlineData"], {"mimeType", "data"}, f"{path}.inline_data")
        _base64(inline.get("data"), f"{path}.inline_data.data")
        if not isinstance(inline.get("mimeType"), str) or not inline["mimeType"]:
            raise Invalid(f"* {path}.inline_data.mime_type: must be specified")
    if kind == "functionCall":
        call = _fields(fields["functionCall"], {"id", "name", "args"}, f"{path}.function_call")
        _name(call.get("name"), f"{path}.function_call.name")
    if kind == "functionResponse":
        allowed = {"id", "name", "response", "willContinue", "scheduling", "parts"}
        response = _fields(fields["functionResponse"], allowed, f"{path}.function_response")
        _name(response.get("name"), f"{path}.function_response.name")
        if not isinstance(response.get("response"), dict):
            raise Invalid(f"* {path}.function_response.response: must be an object")
    if "thoughtSignature" in fields:
        _base64(fields["thoughtSignature"], f"{path}.thought_signature")
    return fields


def _call_turn(index: int, before: Turn | None, parts: list[Json], model: str) -> None:
    if before is None or before[0] != "user":
        raise Invalid(
            "Please ensure that function call turn comes immediately after a user turn or "
            "after a function response turn."
        )
    first = next(p for p in parts if "functionCall" in p)
    if model.startswith("gemini-3") and not first.get("thoughtSignature"):
        name = first["functionCall"].get("name")
        raise Invalid(
            f"Function call `{name}` in the `{index + 1}. content block` is missing a "
            "`thought_signature`."
        )


def _response_turn(before: Turn | None, responses: int) -> None:
    if before is None or before[0] != "model" or _count_calls(before[1]) != responses:
        raise Invalid(
            "Please ensure that the number of function response parts is equal to the number "
            "of function call parts of the function call turn."
        )


def _count_calls(parts: list[Json]) -> int:
    return sum(1 for p in parts if "functionCall" in p)


def _base64(value: object, path: str) -> None:
    if not isinstance(value, str):
        raise Invalid(f"Invalid value at '{path}' (TYPE_BYTES), expected a string")
    standard = value.replace("-", "+").replace("_", "/")
    try:
        base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed") from None


def _name(name: object, path: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise Invalid(
            f"* {path}: Invalid function name. Must start with a letter or an underscore. Must "
            "be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes "
            "(-), with a maximum length of 64."
        )


def _system(system: object) -> None:
    fields = _fields(system, {"role", "parts"}, "system_instruction")
    parts = fields.get("parts")
    if not isinstance(parts, list) or not parts:
        raise Invalid("* GenerateContentRequest.system_instruction.parts: must not be empty")
    for index, part in enumerate(parts):
        text = _fields(part, {"text"}, f"system_instruction.parts[{index}]").get("text")
        if not isinstance(text, str) or not text:
            raise Invalid("Unable to submit request because it has an empty text parameter.")


def _tools(tools: object) -> set[str]:
    if tools is None:
        return set()
    if not isinstance(tools, list):
        raise Invalid("Invalid JSON payload received. 'tools' must be a list.")
    names: set[str] = set()
    for index, tool in enumerate(tools):
        fields = _fields(tool, _TOOL, f"tools[{index}]")
        declarations = fields.get("functionDeclarations", [])
        if not isinstance(declarations, list):
            raise Invalid(f"* tools[{index}].function_declarations: must be a list")
        for number, declaration in enumerate(declarations):
            path = f"tools[{index}].function_declarations[{number}]"
            names.add(_declaration(declaration, path, names))
    return names


def _declaration(declaration: object, path: str, seen: set[str]) -> str:
    fields = _fields(declaration, _DECLARATION, path)
    name = fields.get("name")
    _name(name, f"{path}.name")
    assert isinstance(name, str)
    if name in seen:
        raise Invalid(f"* {path}: Duplicate function declaration found: {name}")
    if "parameters" in fields and "parametersJsonSchema" in fields:
        raise Invalid(f"* {path}: parameters and parameters_json_schema are mutually exclusive")
    if "parameters" in fields:
        schema = _schema(fields["parameters"], f"{path}.parameters")
        if str(schema.get("type", "")).upper() != "OBJECT":
            raise Invalid(f"* {path}.parameters: schema should be of type OBJECT")
    return name


def _schema(node: object, path: str) -> Json:
    fields = _fields(node, _SCHEMA, path)
    kind = fields.get("type")
    if kind is not None and (not isinstance(kind, str) or kind.upper() not in _TYPES):
        raise Invalid(
            f"Invalid value at '{path}.type' "
            f"(type.googleapis.com/google.ai.generativelanguage.v1beta.Type), {kind!r}"
        )
    fmt = fields.get("format")
    if str(kind).upper() == "STRING" and fmt is not None and fmt not in _STRING_FORMATS:
        raise Invalid(f"* {path}.format: only 'enum' and 'date-time' are supported for STRING")
    enum = fields.get("enum")
    if enum is not None and not (isinstance(enum, list) and all(isinstance(v, str) for v in enum)):
        raise Invalid(f"Invalid value at '{path}.enum': values must be strings")
    _sub_schemas(fields, path)
    return fields


def _sub_schemas(fields: Json, path: str) -> None:
    properties = fields.get("properties", {})
    if not isinstance(properties, dict):
        raise Invalid(f"Invalid JSON payload received at '{path}.properties'.")
    for name, sub in properties.items():
        _schema(sub, f"{path}.properties[{name}].value")
    required = fields.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise Invalid(f"Invalid value at '{path}.required': must be a list of strings")
    for name in required:
        if name not in properties:
            raise Invalid(f"* {path}.required: property {name!r} is not defined")
    if "items" in fields:
        _schema(fields["items"], f"{path}.items")
    options = fields.get("anyOf", [])
    if not isinstance(options, list):
        raise Invalid(f"Invalid JSON payload received at '{path}.any_of'.")
    for index, option in enumerate(options):
        _schema(option, f"{path}.any_of[{index}]")


def _tool_config(config: object, declared: set[str]) -> None:
    fields = _fields(config, {"functionCallingConfig", "retrievalConfig"}, "tool_config")
    calling = _fields(
        fields.get("functionCallingConfig", {}),
        {"mode", "allowedFunctionNames"},
        "tool_config.function_calling_config",
    )
    mode = calling.get("mode", "AUTO")
    if mode not in _MODES:
        raise Invalid(f"Invalid value at 'tool_config.function_calling_config.mode', {mode!r}")
    allowed = calling.get("allowedFunctionNames")
    if allowed is not None and mode not in ("ANY", "VALIDATED"):
        raise Invalid("allowed_function_names may only be set when mode is ANY.")
    for name in allowed or []:
        if name not in declared:
            raise Invalid(f"allowed_function_names: {name!r} is not a declared function.")


def _generation(config: object, model: str) -> None:
    fields = _fields(config, _GENERATION, "generation_config")
    limit = 8192 if model.startswith(("gemini-1", "gemini-2.0")) else 65536
    max_tokens = fields.get("maxOutputTokens", 1)
    if not isinstance(max_tokens, int) or not 0 < max_tokens <= limit:
        raise Invalid(f"max_output_tokens must be between 1 and {limit}, got {max_tokens!r}")
    stops = fields.get("stopSequences", [])
    if not isinstance(stops, list) or len(stops) > 5:
        raise Invalid("stop_sequences: at most 5 stop sequences are allowed.")
    for key, low, high in (("temperature", 0, 2), ("topP", 0, 1)):
        value = fields.get(key, low)
        if not isinstance(value, int | float) or not low <= value <= high:
            raise Invalid(f"{key} must be between {low} and {high}, got {value!r}")
    if "thinkingConfig" in fields:
        _thinking(fields["thinkingConfig"], model)


def _thinking(config: object, model: str) -> None:
    fields = _fields(config, {"includeThoughts", "thinkingBudget", "thinkingLevel"}, "thinking")
    if model.startswith(("gemini-1", "gemini-2.0")):
        raise Invalid("Thinking is not supported for this model.")
    if "thinkingBudget" in fields and "thinkingLevel" in fields:
        raise Invalid("thinking_budget and thinking_level are mutually exclusive.")
    budget = fields.get("thinkingBudget", -1)
    if not isinstance(budget, int) or budget < -1 or budget > 32768:
        raise Invalid(f"thinking_budget is out of range: {budget!r}")
    if budget == 0 and model.startswith(_ALWAYS_THINKS):
        raise Invalid("Budget 0 is invalid. This model only works in thinking mode.")
