"""count_tokens on a llama.cpp tier: the server's own tokenizer, not a bytes/4 estimate."""

from __future__ import annotations

from typing import Any

from tests.client import post
from tests.helpers import GatewayServer
from tests.localmodel.server import LlamaServer

# SmolLM2 spells digits one token each: ~2 bytes a token, where an estimate assumes 4.
DIGITS = "31415 92653 58979 32384 62643 " * 80
SYSTEM = "You count digits."


def server_tokens(server: LlamaServer, text: str) -> int:
    answer = post(f"{server.url}/extras/tokenize/count", {"input": text})
    assert answer.status == 200, answer.body
    count: int = answer.json()["count"]
    return count


def test_count_is_the_servers_tokenization_of_the_prompt(
    gateway: GatewayServer, llama_server: LlamaServer
) -> None:
    request: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1,
        "system": SYSTEM,
        "messages": [{"role": "user", "content": DIGITS}],
    }
    texts = server_tokens(llama_server, SYSTEM) + server_tokens(llama_server, DIGITS)

    counted = post(f"{gateway.url}/v1/messages/count_tokens", request)
    served = post(f"{gateway.url}/v1/messages", request, timeout=90)

    assert counted.status == 200 and served.status == 200, (counted.body, served.body)
    prompt = served.json()["usage"]["input_tokens"]  # the server's count of what it evaluated
    count = counted.json()["input_tokens"]
    assert texts <= count <= prompt, f"counted {count}: not in [{texts}, {prompt}]"
