from __future__ import annotations

import base64
import logging

import pytest

from switchex.gateway.proxy import Proxy, parse_proxy, proxy_for

NAMES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_proxy_url_credentials_become_basic_auth_and_are_never_displayed() -> None:
    proxy = parse_proxy("http://me:p%40ss@corp-proxy:3128")
    assert (proxy.host, proxy.port, proxy.display) == ("corp-proxy", 3128, "corp-proxy:3128")
    assert proxy.authorization == "Basic " + base64.b64encode(b"me:p@ss").decode()
    assert parse_proxy("corp-proxy") == Proxy("corp-proxy", 80)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("socks5://127.0.0.1:1080", "only http://"),
        ("https://corp:443", "only http://"),
        ("http://:3128", "no host"),
        ("http://corp:99999", "invalid port"),
    ],
)
def test_bad_proxy_urls(url: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_proxy(url)


@pytest.mark.parametrize(
    ("variables", "scheme", "host", "expected"),
    [
        ({"HTTPS_PROXY": "http://p:1"}, "https", "api.anthropic.com", "p:1"),
        ({"https_proxy": "http://p:1"}, "https", "api.anthropic.com", "p:1"),
        ({"HTTPS_PROXY": "http://p:1"}, "http", "api.example.com", None),
        ({"HTTP_PROXY": "http://p:2"}, "http", "api.example.com", "p:2"),
        ({"ALL_PROXY": "http://p:3"}, "https", "api.anthropic.com", "p:3"),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "anthropic.com"},
            "https",
            "api.anthropic.com",
            None,
        ),
        (
            {"HTTPS_PROXY": "http://p:1", "no_proxy": ".anthropic.com"},
            "https",
            "api.anthropic.com",
            None,
        ),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, "https", "api.anthropic.com", None),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "other.com"},
            "https",
            "api.anthropic.com",
            "p:1",
        ),
        ({"HTTPS_PROXY": "http://p:1"}, "https", "127.0.0.1", None),
        ({"HTTPS_PROXY": "http://p:1"}, "https", "localhost", None),
        ({"HTTPS_PROXY": "http://p:1"}, "https", "::1", None),
    ],
)
def test_the_environment_decides_when_the_tier_does_not(
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    scheme: str,
    host: str,
    expected: str | None,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    proxy = proxy_for(scheme, host, 443, None)
    assert (proxy.display if proxy else None) == expected


def test_the_tier_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://env:1")
    for off in ("none", "", "NONE", "direct"):
        assert proxy_for("https", "api.anthropic.com", 443, off) is None
    chosen = proxy_for("https", "127.0.0.1", 443, "http://tier:2")
    assert chosen is not None and chosen.display == "tier:2"


def test_an_unusable_environment_proxy_is_ignored_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://user:secret@127.0.0.1:1080")
    with caplog.at_level(logging.WARNING, "switchex.gateway"):
        assert proxy_for("https", "api.anthropic.com", 443, None) is None
    assert "only http://" in caplog.text and "secret" not in caplog.text
