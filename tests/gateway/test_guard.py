"""The pure guard: which Host, Origin and content type pass, and client keys."""

from __future__ import annotations

import pytest

from switchex.gateway.guard import Policy, check, is_json, is_loopback

POLICY = Policy.build("127.0.0.1", 8123, ["gw.example.com"])
CLAUDE_CODE = {"host": "127.0.0.1:8123", "content-type": "application/json", "x-api-key": "k"}


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8123", "localhost:8123", "[::1]:8123", "127.0.0.1", "LOCALHOST", "gw.example.com"],
)
def test_loopback_names_and_public_names_pass(host: str) -> None:
    assert check(POLICY, "GET", {"host": host}) is None


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8123", "127.0.0.1:9999", "127.0.0.1.evil.example", ""]
)
def test_other_hosts_are_refused_as_misdirected(host: str) -> None:
    error = check(POLICY, "GET", {"host": host})
    assert error is not None and error.status == 421


def test_claude_code_passes_and_a_cross_site_text_plain_post_does_not() -> None:
    assert check(POLICY, "POST", CLAUDE_CODE) is None
    assert check(POLICY, "POST", {**CLAUDE_CODE, "content-type": "text/plain"}).status == 415  # type: ignore[union-attr]
    hostile = {**CLAUDE_CODE, "origin": "http://evil.example"}
    assert check(POLICY, "POST", hostile).status == 403  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://127.0.0.1:8123", True),
        ("http://localhost:8123", True),
        ("http://127.0.0.1:3000", False),
        ("null", False),
        ("http://evil.example", False),
    ],
)
def test_only_the_gateways_own_origin_passes(origin: str, allowed: bool) -> None:
    error = check(POLICY, "GET", {"host": "127.0.0.1:8123", "origin": origin})
    assert (error is None) is allowed


def test_cross_site_fetches_are_refused_but_navigations_pass() -> None:
    fetch = {"host": "127.0.0.1:8123", "sec-fetch-site": "same-site", "sec-fetch-mode": "cors"}
    assert check(POLICY, "GET", fetch) is not None
    assert check(POLICY, "GET", {**fetch, "sec-fetch-mode": "navigate"}) is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("Application/JSON;charset=UTF-8", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
        ("", False),
    ],
)
def test_json_media_type_with_parameters(value: str, ok: bool) -> None:
    assert is_json(value) is ok


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.2", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
