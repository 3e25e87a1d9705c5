"""The Vertex fake refuses what Claude on Vertex AI refuses."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from switchex.fakes.vertex import FakeVertex
from tests.client import Answer, post

PATH = "/v1/projects/test-project/locations/us-east5/publishers/anthropic/models/"
GOOD = {
    "anthropic_version": "vertex-2023-10-16",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "hi"}],
}


@pytest.fixture
def vertex() -> Iterator[FakeVertex]:
    with FakeVertex() as fake:
        yield fake  # type: ignore[misc]


def token(fake: FakeVertex) -> str:

    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    form = urlencode({"grant_type": "refresh_token", "refresh_token": "r"})
    connection.request(
        "POST", "/token", form, {"content-type": "application/x-www-form-urlencoded"}
    )
    value = str(json.loads(connection.getresponse().read())["access_token"])
    connection.close()
    return value


def call(
    fake: FakeVertex, body: Any, tail: str = "claude-x@1:rawPredict", **headers: str
) -> Answer:
    return post(fake.base_url + PATH + tail, body, headers)


def test_a_good_call_answers_an_anthropic_message(vertex: FakeVertex) -> None:
    answer = call(vertex, GOOD, authorization=f"Bearer {token(vertex)}")
    assert answer.status == 200 and answer.json()["model"] == "claude-x@1"


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"model": "claude-x"}, 400, "model: Extra inputs are not permitted"),
        ({"anthropic_version": "2023-06-01"}, 400, "anthropic_version"),
        ({"anthropic_beta": "a,b"}, 400, "anthropic_beta"),
        ({"stream": True}, 400, "streamRawPredict"),
    ],
)
def test_bodies_vertex_rejects(
    vertex: FakeVertex, change: dict[str, Any], status: int, says: str
) -> None:
    answer = call(vertex, {**GOOD, **change}, authorization=f"Bearer {token(vertex)}")
    assert answer.status == status and says in answer.json()["error"]["message"]


def test_tokens_it_did_not_issue_are_unauthenticated(vertex: FakeVertex) -> None:
    for headers in ({}, {"authorization": "Bearer ya29.made-up"}, {"x-api-key": "k"}):
        answer = call(vertex, GOOD, **headers)
        assert answer.status == 401 and answer.json()["error"]["status"] == "UNAUTHENTICATED"


def test_wrong_project_or_method_is_not_found(vertex: FakeVertex) -> None:
    auth = f"Bearer {token(vertex)}"
    other = post(
        vertex.base_url + PATH.replace("test-project", "other") + "m:rawPredict",
        GOOD,
        {"authorization": auth},
    )
    assert other.status == 404
    assert call(vertex, GOOD, "m:predict", authorization=auth).status == 404
