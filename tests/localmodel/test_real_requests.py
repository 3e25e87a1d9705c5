"""Fifty varied Anthropic requests through switchex to the real model (llama.cpp's server).

Every answer must be well-formed Anthropic JSON or SSE (read strictly), with no 5xx and no
hang; a tool call must arrive as a `tool_use` whose input validates against the offered
tool's schema (or the model answers in text) — never broken JSON.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.client import post
from tests.helpers import GatewayServer
from tests.localmodel.anthropic_wire import check_message, check_tool_calls, read_stream
from tests.localmodel.catalogue import catalogue
from tests.localmodel.server import ALIAS, LlamaServer

ANSWER_TIMEOUT = 90  # seconds per request: a hang fails, it does not stall the suite


@pytest.mark.parametrize(
    ("request_body"), [c[1] for c in catalogue()], ids=[c[0] for c in catalogue()]
)
def test_answer_is_well_formed(
    gateway: GatewayServer, llama_server: LlamaServer, request_body: dict[str, Any]
) -> None:
    answer = post(f"{gateway.url}/v1/messages", request_body, timeout=ANSWER_TIMEOUT)

    assert answer.status == 200, answer.body[:2000]
    assert answer.headers["x-switchex-tier"] == "local"
    if request_body["stream"]:
        assert answer.headers["content-type"].startswith("text/event-stream")
        message = read_stream(answer.body)
    else:
        message = check_message(answer.json())
    assert message["model"] == ALIAS
    calls = check_tool_calls(message, request_body.get("tools", []))
    forced = request_body.get("tool_choice", {}).get("name")
    if forced:  # a call, or the model's broken call said as text (`name: arguments`)
        said = [b["text"] for b in message["content"] if b["type"] == "text"]
        assert calls or said[0].startswith(f"{forced}: "), message["content"]
    if not calls:
        assert [b for b in message["content"] if b["type"] == "text"], message
    assert llama_server.process.poll() is None, "the model server died"
