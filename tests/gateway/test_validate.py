"""The request shape check, and arbitrary JSON through every kind of tier: never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchex.errors import RequestError
from switchex.fakes.anthropic import FakeAnthropic
from switchex.fakes.base import FakeServer
from switchex.fakes.gemini import FakeGemini
from switchex.fakes.openai import FakeOpenAI
from switchex.gateway.validate import validate_request
from switchex.providers.base import TierSpec
from switchex.providers.gemini.request import translate_request as to_gemini
from switchex.providers.openai.request import translate_request as to_openai
from tests.client import message, post
from tests.gateway.test_translated_failures import tier_for
from tests.helpers import GatewayServer, make_config, serve

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
BLOCK_TYPES = st.sampled_from(
    ["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", "x"]
)
FIELDS = ["text", "source", "id", "name", "input", "tool_use_id", "content", "is_error", "thinking"]
BLOCK = st.builds(
    lambda kind, extra: {"type": kind, **extra},
    BLOCK_TYPES,
    st.dictionaries(st.sampled_from(FIELDS), ANY_JSON, max_size=4),
)
CONTENT = st.text(max_size=8) | st.lists(BLOCK | ANY_JSON, max_size=3) | ANY_JSON
MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system"]) | ANY_JSON, "content": CONTENT}
)
TOP = [
    "system", "tools", "tool_choice", "thinking", "temperature", "top_p", "top_k",
    "stop_sequences", "stream", "metadata", "max_tokens",
]  # fmt: skip
REQUEST = st.builds(
    lambda messages, extra: {"model": "claude-sonnet-4-5", "messages": messages, **extra},
    st.lists(MESSAGE, min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(TOP), ANY_JSON | st.lists(BLOCK, max_size=2), max_size=4),
)


def test_the_reproductions_are_400_naming_the_field() -> None:
    with pytest.raises(RequestError, match=r"system\.0\.text: must be a string"):
        validate_request(message(system=[{"type": "text", "text": 5}]))
    with pytest.raises(RequestError, match="top_k"):
        validate_request(message(top_k=1e20))


def test_a_claude_code_request_passes_unchanged() -> None:
    request = message(
        system=[{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}],
        thinking={"type": "adaptive", "display": "omitted"},
        context_management={"edits": []},
        tools=[{"name": "Bash", "input_schema": {"type": "object"}}],
        metadata={"user_id": "{}"},
    )
    request["messages"].append({"role": "system", "content": [{"type": "text", "text": "env"}]})
    assert validate_request(request) is request


@settings(max_examples=300, deadline=None)
@given(REQUEST)
def test_the_validator_answers_every_shape_with_pass_or_400(request: dict[str, Any]) -> None:
    try:
        validate_request(request)
    except RequestError as error:
        assert error.status == 400


@settings(max_examples=300, deadline=None)
@given(REQUEST)
def test_translators_take_any_shape_or_refuse_it_with_a_request_error(
    request: dict[str, Any],
) -> None:
    """Without the validator in front: a translation or a RequestError, never a crash."""
    from switchex.providers.anthropic import AnthropicProvider

    spec = TierSpec("t", "http://127.0.0.1:9", None, None, {})
    for translate in (
        lambda: to_openai(request, "deepseek-reasoner"),
        lambda: to_gemini(request, "gemini-2.5-flash"),
        lambda: AnthropicProvider().build_call(spec, request, "m", {}, None).body,
    ):
        try:
            body = translate()
            assert isinstance(body, bytes) or orjson.dumps(body)
        except RequestError as error:
            assert error.status == 400


@pytest.fixture(params=["openai", "gemini", "anthropic"], scope="module")
def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayServer]:
    fake: FakeServer
    if request.param == "anthropic":
        fake = FakeAnthropic()
    else:
        fake = FakeGemini(api_key="g-key") if request.param == "gemini" else FakeOpenAI()
    with fake:
        tier = {"name": "t", "provider": "anthropic", "base_url": fake.base_url}
        tier = tier if request.param == "anthropic" else tier_for(fake)
        server = serve(make_config([tier]), tmp_path_factory.mktemp("state"))
        yield server
        server.stop()


@pytest.mark.parametrize(
    "bad",
    [{"system": [{"type": "text", "text": 5}]}, {"top_k": 1e20}, {"temperature": 3}],
)
def test_malformed_input_is_400_on_every_kind(gateway: GatewayServer, bad: dict[str, Any]) -> None:
    answer = post(f"{gateway.url}/v1/messages", message(**bad))
    assert answer.status == 400
    assert answer.json()["error"]["type"] == "invalid_request_error"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(REQUEST)
def test_arbitrary_shapes_through_the_gateway_never_get_a_5xx(
    gateway: GatewayServer, request: dict[str, Any]
) -> None:
    answer = post(f"{gateway.url}/v1/messages", request, timeout=10)
    assert answer.status < 500, answer.body
    if answer.status != 200:
        assert answer.json()["type"] == "error"
