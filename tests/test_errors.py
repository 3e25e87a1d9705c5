from __future__ import annotations

import orjson
import pytest

from switchex.errors import (
    FailureKind,
    SwitchableError,
    UpstreamError,
    UpstreamRejected,
    kind_for_status,
)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "invalid_request"),
        (401, "auth_failed"),
        (402, "billing"),
        (403, "auth_failed"),
        (404, "not_found"),
        (408, "timeout"),
        (413, "too_large"),
        (418, "invalid_request"),
        (422, "invalid_request"),
        (429, "rate_limit"),
        (500, "server_error"),
        (502, "server_error"),
        (503, "overloaded"),
        (504, "timeout"),
        (529, "overloaded"),
        (599, "server_error"),
    ],
)
def test_one_status_table_for_every_provider_kind(status: int, kind: str) -> None:
    assert kind_for_status(status) == kind
    assert UpstreamRejected(status, "x").kind == kind


def test_a_dialects_kind_wins_and_an_unknown_word_falls_back_to_the_status() -> None:
    assert UpstreamError(400, "x", reason=FailureKind.CONTEXT_TOO_LONG).kind == "context_too_long"
    assert SwitchableError(502, "x", reason="connect_error").kind == FailureKind.CONNECT_ERROR
    assert SwitchableError(504, "x", reason="some_new_word").kind == FailureKind.TIMEOUT
    assert SwitchableError(502, "x").kind == FailureKind.SERVER_ERROR


def test_the_body_is_anthropic_shaped() -> None:
    error = UpstreamError(402, "no credits left")
    assert orjson.loads(error.body) == {
        "type": "error",
        "error": {"type": "billing_error", "message": "no credits left"},
    }
