"""The counter fakes refuse what the real servers refuse."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from switchex.fakes.counters import FakeLlamaCpp, FakeVLLM, tokens
from switchex.fakes.gemini import FakeGemini


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data, {"content-type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_tokens_counts_words_and_marks() -> None:
    assert len(tokens("Hello, world!")) == 4


def test_llama_cpp_answers_no_tokens_without_content() -> None:
    with FakeLlamaCpp() as fake:
        assert post(f"{fake.base_url}/tokenize", {"content": "a b"}) == (200, {"tokens": [1, 1]})
        assert post(f"{fake.base_url}/tokenize", {"prompt": "a b"}) == (200, {"tokens": []})


def test_vllm_refuses_a_body_without_prompt() -> None:
    with FakeVLLM() as fake:
        status, answer = post(f"{fake.base_url}/tokenize", {"content": "a b"})
        assert status == 400 and answer["type"] == "BadRequestError"
        status, answer = post(f"{fake.base_url}/tokenize", {"model": "m", "prompt": "a b"})
        assert (status, answer["count"]) == (200, 2)


def test_gemini_count_tokens_is_strict() -> None:
    contents = [{"role": "user", "parts": [{"text": "one two"}]}]
    with FakeGemini(api_key="k") as fake:
        url = f"{fake.base_url}/v1beta/models/gemini-2.5-flash:countTokens"
        key = {"x-goog-api-key": "k"}
        assert post(url, {"contents": contents}, key) == (200, {"totalTokens": 2})
        inner = {"model": "models/gemini-2.5-flash", "contents": contents}
        assert post(url, {"generateContentRequest": inner}, key) == (200, {"totalTokens": 2})
        both = {"contents": contents, "generateContentRequest": inner}
        assert post(url, both, key)[0] == 400
        wrong = {"generateContentRequest": {**inner, "model": "gemini-2.5-flash"}}
        assert post(url, wrong, key)[0] == 400
        bad_role = {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}
        assert post(url, bad_role, key)[0] == 400
        assert post(url, {"contents": contents})[0] == 403
