"""The fake Gemini over real loopback HTTP: its wire format, its strictness, and the gemini
provider's requests against it (including Gemini 3's thought signatures)."""

import urllib.request
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from switchex.errors import SwitchableError
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.gemini import DUMMY_SIGNATURE, FakeGemini
from switchex.providers.base import TierSpec
from switchex.providers.gemini import GeminiProvider
from tests.providers.gemini.support import assemble, post

KEY = "g-key"
PRO3 = "gemini-3-pro-preview"
HI = {"role": "user", "parts": [{"text": "hi"}]}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGemini]:
    fake = FakeGemini(api_key=KEY)
    with fake:
        yield fake


@pytest.fixture
def fake(server: FakeGemini) -> FakeGemini:
    server.script.clear()
    server.received.clear()
    return server


def call(
    fake: FakeGemini,
    body: Any,
    model: str = "gemini-2.5-flash",
    action: str = "generateContent",
    **query: str,
) -> tuple[int, Any]:
    url = f"{fake.base_url}/v1beta/models/{model}:{action}"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    headers = {"content-type": "application/json"}
    if "key" not in query:
        headers["x-goog-api-key"] = KEY
    status, data = post(url, headers, orjson.dumps(body))
    return status, data


def test_a_text_answer(fake: FakeGemini) -> None:
    fake.push(Reply(text="Hello there", thinking="hmm", input_tokens=7, output_tokens=3))
    status, data = call(fake, {"contents": [HI]})
    answer = orjson.loads(data)
    assert status == 200
    assert answer["candidates"][0]["content"]["parts"] == [
        {"text": "hmm", "thought": True},
        {"text": "Hello there"},
    ]
    assert answer["candidates"][0]["finishReason"] == "STOP"
    assert answer["usageMetadata"]["promptTokenCount"] == 7


def test_streams_as_sse_or_as_a_json_array(fake: FakeGemini) -> None:
    fake.push(Reply(text="Hello there, friend"), Reply(text="Hello there, friend"))
    status, sse = call(fake, {"contents": [HI]}, action="streamGenerateContent", alt="sse", key=KEY)
    assert status == 200 and sse.count(b"data: ") == 3
    translator = GeminiProvider().stream_translator("gemini-2.5-flash")
    message = assemble(translator.feed(sse) + translator.finish())
    assert message["content"] == [{"type": "text", "text": "Hello there, friend"}]
    _, array = call(fake, {"contents": [HI]}, action="streamGenerateContent")
    assert (
        "".join(c["candidates"][0]["content"]["parts"][0]["text"] for c in orjson.loads(array))
        == "Hello there, friend"
    )


@pytest.mark.parametrize(
    ("headers", "status", "google_status"),
    [({}, 403, "PERMISSION_DENIED"), ({"x-goog-api-key": "wrong"}, 400, "INVALID_ARGUMENT")],
)
def test_the_key_is_required(
    fake: FakeGemini, headers: dict[str, str], status: int, google_status: str
) -> None:
    url = f"{fake.base_url}/v1beta/models/gemini-2.5-flash:generateContent"
    got, data = post(url, headers, orjson.dumps({"contents": [HI]}))
    assert (got, orjson.loads(data)["error"]["status"]) == (status, google_status)


def test_lists_models_and_refuses_unknown_ones(fake: FakeGemini) -> None:
    request = urllib.request.Request(
        f"{fake.base_url}/v1beta/models", headers={"x-goog-api-key": KEY}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        names = [m["name"] for m in orjson.loads(response.read())["models"]]
    assert "models/gemini-2.5-flash" in names
    assert call(fake, {"contents": [HI]}, model="gpt-4o")[0] == 404


def declaration(parameters: Any, name: str = "tool") -> dict[str, Any]:
    return {
        "contents": [HI],
        "tools": [{"functionDeclarations": [{"name": name, "parameters": parameters}]}],
    }


def turns(model_parts: list[Any], responses: int) -> dict[str, Any]:
    response = {"functionResponse": {"name": "f", "response": {"content": "ok"}}}
    return {
        "contents": [
            HI,
            {"role": "model", "parts": model_parts},
            {"role": "user", "parts": [response] * responses},
        ]
    }


CALL = {"functionCall": {"name": "f", "args": {}}}
OBJ = {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}


@pytest.mark.parametrize(
    ("body", "model", "words"),
    [
        ({"contents": [HI], "stream": True}, "gemini-2.5-flash", 'Unknown name "stream"'),
        (
            {"contents": [{"role": "system", "parts": [{"text": "x"}]}]},
            "gemini-2.5-flash",
            "valid role",
        ),
        ({"contents": []}, "gemini-2.5-flash", "contents is not specified"),
        ({"contents": [{"role": "user", "parts": []}]}, "gemini-2.5-flash", "must not be empty"),
        ({"contents": [{"role": "user", "parts": [{}]}]}, "gemini-2.5-flash", "oneof field 'data'"),
        (
            {"contents": [{"role": "user", "parts": [{"text": ""}]}]},
            "gemini-2.5-flash",
            "empty text",
        ),
        (
            declaration({**OBJ, "additionalProperties": False}),
            "gemini-2.5-flash",
            '"additionalProperties"',
        ),
        (declaration({**OBJ, "$schema": "x"}), "gemini-2.5-flash", '"$schema"'),
        (
            declaration({**OBJ, "properties": {"a": {"type": "NUMBER", "exclusiveMinimum": 0}}}),
            "gemini-2.5-flash",
            '"exclusiveMinimum"',
        ),
        (declaration({**OBJ, "propertyNames": {}}), "gemini-2.5-flash", '"propertyNames"'),
        (declaration({**OBJ, "properties": {"a": {"const": "x"}}}), "gemini-2.5-flash", '"const"'),
        (
            declaration({**OBJ, "properties": {"a": {"$ref": "#/$defs/A"}}}),
            "gemini-2.5-flash",
            '"$ref"',
        ),
        (declaration({**OBJ, "definitions": {}}), "gemini-2.5-flash", '"definitions"'),
        (
            declaration({**OBJ, "properties": {"a": {"type": ["string", "null"]}}}),
            "gemini-2.5-flash",
            "Invalid value",
        ),
        (
            declaration({**OBJ, "properties": {"a": {"type": "STRING", "format": "uri"}}}),
            "gemini-2.5-flash",
            "format",
        ),
        (declaration({**OBJ, "required": ["ghost"]}), "gemini-2.5-flash", "not defined"),
        (declaration(OBJ, name="1tool"), "gemini-2.5-flash", "Invalid function name"),
        (turns([CALL, CALL], 1), "gemini-2.5-flash", "number of function response parts"),
        (
            {"contents": [{"role": "model", "parts": [CALL]}]},
            "gemini-2.5-flash",
            "comes immediately after a user turn",
        ),
        (turns([CALL], 1), PRO3, "missing a `thought_signature`"),
        (turns([{**CALL, "thoughtSignature": "Zm9yZ2Vk"}], 1), PRO3, "Corrupted thought signature"),
        (
            {"contents": [HI], "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}},
            "gemini-2.5-pro",
            "only works in thinking mode",
        ),
        (
            {"contents": [HI], "generationConfig": {"maxOutputTokens": 100000}},
            "gemini-2.5-flash",
            "max_output_tokens",
        ),
        (
            {"contents": [HI], "generationConfig": {"stopSequences": list("abcdef")}},
            "gemini-2.5-flash",
            "at most 5",
        ),
    ],
)
def test_refuses_what_the_real_api_refuses(
    fake: FakeGemini, body: Any, model: str, words: str
) -> None:
    status, data = call(fake, body, model=model)
    error = orjson.loads(data)["error"]
    assert (status, error["status"]) == (400, "INVALID_ARGUMENT")
    assert words in error["message"]


@pytest.mark.parametrize(
    ("body", "model"),
    [
        (turns([CALL], 1), "gemini-2.5-flash"),
        (turns([{**CALL, "thoughtSignature": DUMMY_SIGNATURE}, CALL], 2), PRO3),
        ({"contents": [HI], "generation_config": {"max_output_tokens": 10}}, "gemini-2.5-flash"),
        (declaration({"type": "OBJECT", "properties": {}}), "gemini-2.5-flash"),
    ],
)
def test_accepts_what_the_real_api_accepts(fake: FakeGemini, body: Any, model: str) -> None:
    assert call(fake, body, model=model)[0] == 200


@pytest.mark.parametrize(
    ("reply", "status", "error_type", "until"),
    [
        (Reply(status=429, headers={"retry-after": "7"}), 429, "rate_limit_error", 1007.0),
        (Reply(status=529), 503, "overloaded_error", None),
        (Reply(status=500), 500, "api_error", None),
    ],
)
def test_scripted_errors_are_google_shaped(
    fake: FakeGemini, reply: Reply, status: int, error_type: str, until: float | None
) -> None:
    fake.push(reply)
    got, data = call(fake, {"contents": [HI]})
    error = GeminiProvider().error_from_response(got, {}, data, 1000.0)
    assert isinstance(error, SwitchableError)
    assert (got, error.error_type, error.cooldown_until) == (status, error_type, until)


def test_garbage_and_dropped_streams(fake: FakeGemini) -> None:
    fake.push(Reply(garbage=True), Reply(text="one two three four five six", drop_after=1))
    _, garbage = call(fake, {"contents": [HI]})
    with pytest.raises(SwitchableError):
        GeminiProvider().translate_response(garbage, "gemini-2.5-flash")
    _, partial = call(fake, {"contents": [HI]}, action="streamGenerateContent", alt="sse")
    translator = GeminiProvider().stream_translator("gemini-2.5-flash")
    message = assemble(translator.feed(partial) + translator.finish())
    assert message["content"][0]["text"] == "one two t" and message["stop_reason"] == "end_turn"


# -- the gemini provider against the strict fake --------------------------------------------
TIER = TierSpec("gemini", "", KEY)
ENV = "Primary working directory: /srv/repo\nIs a git repository: true"


def send(fake: FakeGemini, request: dict[str, Any], model: str = PRO3) -> tuple[int, bytes]:
    built = GeminiProvider().build_call(TierSpec("gemini", fake.base_url, KEY), request, model, {})
    return post(built.url, built.headers, built.body)


def claude_conversation() -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "Fix the bug in main.py"},
        {"role": "system", "content": ENV},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "thinking",
                    "thinking": "Read it first.",
                    "signature": "EqQBCkYIBxgCKkBclaude",
                },
                {
                    "type": "tool_use",
                    "id": "toolu_01AbCdEf",
                    "name": "Read",
                    "input": {"file_path": "/srv/repo/main.py"},
                },
                {
                    "type": "tool_use",
                    "id": "toolu_01GhIjKl",
                    "name": "Bash",
                    "input": {"command": "git diff"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01AbCdEf", "content": "print(1/0)"},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01GhIjKl",
                    "content": [{"type": "text", "text": ""}],
                },
            ],
        },
    ]


def test_a_conversation_started_on_claude_continues_on_gemini_3(fake: FakeGemini) -> None:
    request = {
        "model": "claude-opus-5-5",
        "max_tokens": 128000,
        "messages": claude_conversation(),
        "thinking": {"type": "adaptive", "display": "omitted"},
        "system": [{"type": "text", "text": "You are Claude Code."}],
    }
    status, data = send(fake, request)
    assert status == 200, data
    sent = fake.model_requests()[-1]
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert headers["x-goog-api-key"] == KEY and "key=" not in sent.query
    body = sent.json()
    assert ENV in [p["text"] for p in body["systemInstruction"]["parts"]]
    assert body["contents"][1]["parts"][0]["thoughtSignature"] == DUMMY_SIGNATURE


@pytest.mark.parametrize("stream", [False, True])
def test_a_gemini_3_signature_survives_the_round_trip_through_claude_code(
    fake: FakeGemini, stream: bool
) -> None:
    fake.push(
        Reply(
            text="Reading.",
            tool_calls=[
                ToolCall("Read", {"file_path": "/a.py"}),
                ToolCall("Bash", {"command": "ls"}),
            ],
        )
    )
    first = {"max_tokens": 1000, "stream": stream, "messages": [{"role": "user", "content": "go"}]}
    status, data = send(fake, first)
    assert status == 200
    issued = {
        p["thoughtSignature"] for p in _answer_parts(fake, data, stream) if "thoughtSignature" in p
    }
    provider = GeminiProvider()
    if stream:
        translator = provider.stream_translator(PRO3)
        message = assemble(translator.feed(data) + translator.finish())
    else:
        message = provider.translate_response(data, PRO3)
    calls = [b for b in message["content"] if b["type"] == "tool_use"]
    results = [{"type": "tool_result", "tool_use_id": b["id"], "content": "done"} for b in calls]
    follow_up = {
        **first,
        "messages": [
            *first["messages"],
            {"role": "assistant", "content": message["content"]},
            {"role": "user", "content": results},
        ],
    }
    status, data = send(fake, follow_up)
    assert status == 200, data
    replayed = fake.model_requests()[-1].json()["contents"][1]["parts"]
    assert {p.get("thoughtSignature") for p in replayed if "functionCall" in p} == {*issued, None}


def _answer_parts(fake: FakeGemini, data: bytes, stream: bool) -> list[dict[str, Any]]:
    if not stream:
        return orjson.loads(data)["candidates"][0]["content"]["parts"]
    chunks = [
        orjson.loads(line[6:]) for line in data.split(b"\r\n\r\n") if line.startswith(b"data: ")
    ]
    return [p for c in chunks for p in c["candidates"][0]["content"]["parts"]]
