from __future__ import annotations

import pytest

from switchex.redact import redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:sk-secret@host.example/v1", "https://***@host.example/v1"),
        ("https://host.example/v1?key=sk-secret", "https://host.example/v1?key=***"),
        (
            "https://host.example/v1?alt=sse&api_key=sk-secret&x=1",
            "https://host.example/v1?alt=sse&api_key=***&x=1",
        ),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
        ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1"),
    ],
)
def test_keys_inside_urls_are_hidden(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "sk-secret" not in redact_url(url)
