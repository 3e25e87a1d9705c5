import copy
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from switchex.errors import SwitchableError
from switchex.fakes.base import Reply, ToolCall
from switchex.fakes.openai import FakeOpenAI, validate_request
from switchex.providers.base import TierSpec
from switchex.providers.openai import OpenAIProvider

Json = dict[str, Any]
KEY = "sk-fake"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "openai"
CALL = {"id": "call_1", "type": "function", "function": {"name": "Bash", "arguments": "{}"}}
VALID: Json = {
    "model": "deepseek-chat",
    "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": "", "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
    ],
    "tools": [{"type": "function", "function": {"name": "Bash", "parameters": {}}}],
    "max_tokens": 100,
}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(api_key=KEY)
    server.start()
    yield server
    server.stop()


def post(
    fake: FakeOpenAI, body: Json, path: str = "/v1/chat/completions", key: str | None = KEY
) -> tuple[int, Any, bytes]:
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    request = urllib.request.Request(fake.base_url + path, orjson.dumps(body), headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            try:
                return response.status, response.headers, response.read()
            except http.client.IncompleteRead as cut:  # drop_after: the fake closed mid-stream
                return response.status, response.headers, cut.partial
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def changed(path: str, value: Any) -> Json:
    """VALID with one item replaced (`a.b.0.c` addressing; value None deletes)."""
    body = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is None:
        del target[key]
    else:
        target[key] = value
    return body


def test_the_valid_body_is_valid() -> None:
    assert validate_request(VALID) is None


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (changed("top_k", 5), "Unrecognized request argument supplied: top_k"),
        (changed("thinking", {"type": "enabled"}), "Unrecognized request argument"),
        (changed("messages", []), "non-empty"),
        (changed("messages.0.role", "human"), "Invalid value: 'human'"),
        (changed("messages.1.content", [{"type": "image", "data": "x"}]), "content part type"),
        (changed("messages.3.tool_call_id", "call_9"), "must be a response to a preceding"),
        (changed("messages.3", {"role": "user", "content": "x"}), "did not have response messages"),
        (changed("messages.2.tool_calls.0.id", None), "tool_calls[].id"),
        (changed("messages.2.cache_control", {"type": "ephemeral"}), "Unknown parameter"),
        (changed("tools.0.function.name", "mcp:tool"), "does not match pattern"),
        (changed("max_tokens", 8193), "valid range of max_tokens is [1, 8192]"),
        (changed("model", "deepseek-reasoner"), "reasoning_content in the thinking mode"),
        (changed("tool_choice", {"type": "function", "function": {"name": "Nope"}}), "tool_choice"),
        (changed("stream_options", {"include_usage": True}), "only allowed when 'stream'"),
        (changed("stop", list("abcde")), "at most 4"),
    ],
)
def test_validator_rejects_what_real_servers_reject(body: Json, complaint: str) -> None:
    problem = validate_request(body)
    assert problem is not None and complaint in problem


def test_reasoner_accepts_replayed_reasoning_content() -> None:
    body = changed("model", "deepseek-reasoner")
    body["messages"][2]["reasoning_content"] = ""
    assert validate_request(body) is None


@pytest.mark.parametrize(
    "path", ["/v1/chat/completions", "/chat/completions", "/api/v1/chat/completions"]
)
def test_completion_on_every_base_url_shape(fake: FakeOpenAI, path: str) -> None:
    fake.push(Reply(text="hello", thinking="hmm"))
    status, _, raw = post(fake, VALID, path)
    message = json.loads(raw)["choices"][0]["message"]
    assert status == 200 and (message["content"], message["reasoning_content"]) == ("hello", "hmm")
    assert fake.bodies() == [VALID] and fake.is_model_path(path)


def test_rejections_are_openai_shaped_and_still_recorded(fake: FakeOpenAI) -> None:
    status, _, raw = post(fake, changed("top_k", 5))
    assert status == 400
    error = json.loads(raw)["error"]
    assert error["type"] == "invalid_request_error" and "top_k" in error["message"]
    assert fake.bodies()[0]["top_k"] == 5


@pytest.mark.parametrize("key", [None, "sk-wrong"])
def test_key_is_required_when_configured(fake: FakeOpenAI, key: str | None) -> None:
    status, _, raw = post(fake, VALID, key=key)
    assert status == 401 and json.loads(raw)["error"]["code"] == "invalid_api_key"


def test_models_are_listed(fake: FakeOpenAI) -> None:
    with urllib.request.urlopen(fake.base_url + "/v1/models", timeout=10) as response:
        ids = [m["id"] for m in json.loads(response.read())["data"]]
    assert "deepseek-chat" in ids and not fake.model_requests()


def test_error_replies_carry_openai_bodies_and_headers(fake: FakeOpenAI) -> None:
    fake.push(Reply(status=429, headers={"retry-after": "3"}, error_message="Rate limit reached"))
    status, headers, raw = post(fake, VALID)
    assert (status, headers["retry-after"]) == (429, "3")
    error = OpenAIProvider().error_from_response(status, dict(headers), raw, 1000.0)
    assert isinstance(error, SwitchableError) and error.cooldown_until == 1003.0
    assert error.message == "Rate limit reached"


def stream_body(**extra: Any) -> Json:
    return {**VALID, "stream": True, **extra}


@pytest.mark.parametrize(("usage", "expected"), [(True, 1), (False, 0)])
def test_stream_sends_usage_last_only_when_asked(
    fake: FakeOpenAI, usage: bool, expected: int
) -> None:
    status, headers, raw = post(fake, stream_body(stream_options={"include_usage": usage}))
    lines = [line for line in raw.decode().split("\n\n") if line]
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert sum("usage" in c for c in chunks) == expected


def translate(raw: bytes, chunk: int = 7) -> list[Json]:
    translator = OpenAIProvider().stream_translator("deepseek-chat")
    events = [e for i in range(0, len(raw), chunk) for e in translator.feed(raw[i : i + chunk])]
    return events + translator.finish()


def blocks(events: list[Json]) -> list[Json]:
    content: list[Json] = []
    for event in events:
        if event["type"] == "content_block_start":
            content.append({**event["content_block"], "json": ""})
        elif event["type"] == "content_block_delta":
            delta = event["delta"]
            block = content[event["index"]]
            for key, field in (
                ("text", "text"),
                ("thinking", "thinking"),
                ("partial_json", "json"),
            ):
                block[field] = block.get(field, "") + delta.get(key, "")
    return content


def test_stream_through_the_translator_gives_the_scripted_answer(fake: FakeOpenAI) -> None:
    calls = [
        ToolCall("Bash", {"command": "ls -la", "n": [1, 2]}),
        ToolCall("Read", {"file_path": "/a"}),
    ]
    fake.push(Reply(thinking="let me see", text="Running it.", tool_calls=calls))
    _, _, raw = post(fake, stream_body(stream_options={"include_usage": True}))
    events = translate(raw)
    content = blocks(events)
    assert [b["type"] for b in content] == ["thinking", "text", "tool_use", "tool_use"]
    assert (content[0]["thinking"], content[1]["text"]) == ("let me see", "Running it.")
    assert [json.loads(b["json"]) for b in content[2:]] == [c.input for c in calls]
    assert events[-2]["delta"]["stop_reason"] == "tool_use" and events[-1]["type"] == "message_stop"


def test_stream_dropped_inside_a_tool_call_ends_in_an_error(fake: FakeOpenAI) -> None:
    fake.push(Reply(tool_calls=[ToolCall("Write", {"content": "x" * 40})], drop_after=4))
    _, _, raw = post(fake, stream_body())
    events = translate(raw)
    assert events[-1]["type"] == "error"


@pytest.mark.parametrize("stream", [False, True])
def test_garbage_is_a_switchable_bad_response(fake: FakeOpenAI, stream: bool) -> None:
    fake.push(Reply(garbage=True))
    _, _, raw = post(fake, stream_body() if stream else VALID)
    if stream:
        assert translate(raw)[-1]["type"] == "error"
    else:
        with pytest.raises(SwitchableError):
            OpenAIProvider().translate_response(raw, "deepseek-chat")


def test_the_recorded_claude_code_request_is_accepted_end_to_end(fake: FakeOpenAI) -> None:
    case = json.loads((FIXTURES / "claude_code_request.json").read_text())
    tier = TierSpec("ds", fake.base_url + "/v1", KEY)
    call = OpenAIProvider().build_call(tier, case["anthropic"], "deepseek-chat", {})
    request = urllib.request.Request(call.url, call.body, dict(call.headers))
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert fake.bodies()[0]["max_tokens"] == 8192
