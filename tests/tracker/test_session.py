"""repo_hint and session_id: reading a Messages request the way Claude Code sends it."""

from __future__ import annotations

from typing import Any

import pytest

from switchex.tracker.session import repo_hint, session_id

ENV = (
    "Here is useful information:\n<env>\n"
    "Primary working directory: /home/u/proj\nIs a git repository: true\n</env>"
)
USER = {"role": "user", "content": "fix the bug"}


@pytest.mark.parametrize(
    "request_",
    [
        {"messages": [USER, {"role": "system", "content": ENV}]},  # 2.1.332: string
        {"messages": [USER, {"role": "system", "content": [{"type": "text", "text": ENV}]}]},
        {"system": ENV, "messages": [USER]},  # older: top-level string
        {"system": [{"type": "text", "text": "You are"}, {"type": "text", "text": ENV}]},
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": f"<system-reminder>{ENV}</system-reminder>"}
                    ],
                }
            ]
        },
        {"system": "Working directory: /home/u/proj\n", "messages": [USER]},  # oldest wording
    ],
)
def test_repo_hint_finds_the_working_directory(request_: dict[str, Any]) -> None:
    assert repo_hint(request_) == "/home/u/proj"


@pytest.mark.parametrize(
    "request_",
    [
        {},
        {"messages": "nonsense", "system": 3},
        {"messages": [USER, {"role": "assistant", "content": ENV}]},
        {"messages": [USER, {"role": "user", "content": ENV}]},  # only the first user message
    ],
)
def test_repo_hint_none(request_: dict[str, Any]) -> None:
    assert repo_hint(request_) is None


def test_system_message_wins_over_top_level_system() -> None:
    request = {
        "system": ENV.replace("/home/u/proj", "/old"),
        "messages": [USER, {"role": "system", "content": ENV}],
    }
    assert repo_hint(request) == "/home/u/proj"


SID = "0b6f3c1e-5d2a-4f7b-9c8e-1a2b3c4d5e6f"


@pytest.mark.parametrize(
    ("headers", "request_", "expected"),
    [
        ({"x-claude-code-session-id": SID}, {}, SID),
        ({"X-Claude-Code-Session-Id": f" {SID} "}, {}, SID),
        ([(b"x-claude-code-session-id", SID.encode())], {}, SID),
        ({}, {"metadata": {"user_id": f'{{"device_id":"d","session_id":"{SID}"}}'}}, SID),
        ({}, {"metadata": {"user_id": f"user_abc_account_123_session_{SID}"}}, SID),
        ({"x-claude-code-session-id": ""}, {"metadata": {"user_id": "{not json"}}, ""),
        ({}, {"metadata": {"user_id": "user_abc"}}, ""),
        ({}, {"metadata": "x"}, ""),
    ],
)
def test_session_id(headers: Any, request_: dict[str, Any], expected: str) -> None:
    assert session_id(headers, request_) == expected
