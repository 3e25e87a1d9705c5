"""The Bedrock fake refuses what Bedrock refuses: unsigned calls, foreign fields, bad versions."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from switchex.fakes.bedrock import FakeBedrock
from tests.client import post

GOOD = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "hi"}],
}
PATH = "/model/anthropic.claude-x-v1:0/invoke"


def signed_headers(fake: FakeBedrock, body: bytes, secret: str = "secret") -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest("POST", fake.base_url + PATH, {"content-type": "application/json"}, body)
    SigV4Auth(Credentials("AKIAFAKEFAKEFAKE0001", secret), "bedrock", fake.region).add_auth(request)
    return dict(request.headers.items())


@pytest.fixture
def bedrock() -> Any:
    with FakeBedrock(access_key="AKIAFAKEFAKEFAKE0001", secret_key="secret") as fake:
        yield fake


def send(fake: FakeBedrock, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    raw = orjson.dumps(body)
    answer = post(
        fake.base_url + PATH, raw, headers if headers is not None else signed_headers(fake, raw)
    )
    return answer


def test_a_signed_call_is_served(bedrock: FakeBedrock) -> None:
    answer = send(bedrock, GOOD)
    assert answer.status == 200 and answer.json()["type"] == "message"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer abc",
        "AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0001/20250101/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=short",
    ],
)
def test_missing_or_malformed_signatures_are_refused(
    bedrock: FakeBedrock, authorization: str | None
) -> None:
    headers = {"content-type": "application/json", "x-amz-date": "20250101T000000Z"}
    if authorization:
        headers["authorization"] = authorization
    answer = send(bedrock, GOOD, headers)
    assert answer.status == 403
    assert answer.headers["x-amzn-errortype"].startswith("IncompleteSignatureException")


def test_a_signature_with_the_wrong_secret_is_refused(bedrock: FakeBedrock) -> None:
    raw = orjson.dumps(GOOD)
    answer = send(bedrock, GOOD, signed_headers(bedrock, raw, secret="wrong"))
    assert (
        answer.status == 403 and "InvalidSignatureException" in answer.headers["x-amzn-errortype"]
    )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"model": "claude"}, "extraneous key [model]"),
        ({"stream": True}, "extraneous key [stream]"),
        ({"anthropic_version": "vertex-2023-10-16"}, "anthropic_version"),
        ({"temperature": 1, "frobnicate": 1}, "frobnicate"),
        ({"context_management": {"edits": []}}, "needs the context-management-2025-06-27 beta"),
    ],
)
def test_bodies_bedrock_rejects(bedrock: FakeBedrock, change: dict[str, Any], says: str) -> None:
    answer = send(bedrock, {**GOOD, **change})
    assert answer.status == 400 and says in answer.json()["message"]
    assert answer.headers["x-amzn-errortype"].startswith("ValidationException")
