import orjson
import pytest

from switchex.providers.base import TierSpec
from switchex.providers.openai.detect import models_call, server_from_models


def listing(*rows: dict[str, object]) -> bytes:
    return orjson.dumps({"object": "list", "data": list(rows)})


@pytest.mark.parametrize(
    ("body", "server"),
    [
        (
            listing({"id": "m", "object": "model", "owned_by": "llamacpp", "created": 1}),
            "llama.cpp",
        ),
        (listing({"id": "m", "object": "model", "owned_by": "me", "permissions": []}), "llama.cpp"),
        (listing({"id": "qwen2.5-coder:7b", "object": "model", "owned_by": "library"}), None),
        (listing({"id": "m", "owned_by": "me"}), None),  # no permissions list: not the shape
        (b"<html>not json</html>", None),
        (b'{"data": "nope"}', None),
    ],
)
def test_llamacpp_servers_are_recognised_by_their_model_list(
    body: bytes, server: str | None
) -> None:
    assert server_from_models(body) == server


def test_the_probe_uses_the_tiers_own_credentials_only() -> None:
    call = models_call(TierSpec("local", "http://127.0.0.1:8080/v1/", "k", headers={"x-a": "1"}))
    assert (call.method, call.url, call.body) == ("GET", "http://127.0.0.1:8080/v1/models", b"")
    assert dict(call.headers) == {"x-a": "1", "authorization": "Bearer k"}
