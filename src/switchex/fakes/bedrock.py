"""A fake of Claude on Amazon Bedrock (InvokeModel / InvokeModelWithResponseStream).

Strict where the real service is: every request must carry a well-formed SigV4
`Authorization` (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/bedrock/aws4_request,
SignedHeaders=…, Signature=<64 hex>`) and a matching `X-Amz-Date`; given the secret key, the
fake recomputes the signature with botocore and refuses a wrong one. The body must carry
`anthropic_version: bedrock-2023-05-31` and neither `model` nor `stream`. Streams are real
AWS event-stream frames (prelude, headers, payload, both CRCs) whose `chunk` events hold
base64 Anthropic events. Errors carry `x-amzn-ErrorType` as Bedrock's do.
"""

from __future__ import annotations

import base64
import re
import secrets
import struct
import zlib
from dataclasses import replace

import orjson
from aiohttp import web

from switchex.fakes.anthropic import (
    ECHO,
    last_user_text,
    message_for,
    stream_events,
    validate_request,
)
from switchex.fakes.base import FakeServer, Json, Reply, hold, json_response, send_events
from switchex.fakes.vertex import beta_problem
from switchex.sse import SSEParser

VERSION = "bedrock-2023-05-31"
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]{16,128})/(?P<date>\d{8})/"
    r"(?P<region>[a-z0-9-]+)/bedrock/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)
AMZ_DATE = re.compile(r"^\d{8}T\d{6}Z$")
_ERRORS = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: string headers only, CRC32 on prelude and message."""
    encoded = b"".join(
        struct.pack(">B", len(name))
        + name.encode()
        + b"\x07"
        + struct.pack(">H", len(value))
        + value.encode()
        for name, value in ((n, v) for n, v in headers.items())
    )
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    head = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return head + struct.pack(">I", zlib.crc32(head))


def chunk_frame(event: Json) -> bytes:
    """An Anthropic stream event as Bedrock frames it (`chunk`, base64 `bytes`, padding `p`)."""
    data = base64.b64encode(orjson.dumps(event)).decode()
    payload = orjson.dumps({"bytes": data, "p": "abcdefghijklmnopqrstuvwxyz"[: len(data) % 26]})
    headers = {":event-type": "chunk", ":content-type": "application/json"}
    return encode_message({**headers, ":message-type": "event"}, payload)


def exception_frame(name: str, message: str) -> bytes:
    headers = {":exception-type": name, ":content-type": "application/json"}
    headers[":message-type"] = "exception"
    return encode_message(headers, orjson.dumps({"message": message}))


def anthropic_events(message: Json) -> list[Json]:
    parser = SSEParser()
    pairs = [pair for chunk in stream_events(message) for pair in parser.feed(chunk)]
    return [orjson.loads(data) for _, data in pairs]


def aws_error(status: int, name: str, message: str) -> web.Response:
    headers = {"x-amzn-ErrorType": f"{name}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    return json_response(status, {"message": message}, headers)


class FakeBedrock(FakeServer):
    """Bedrock runtime for one region; `secret_key` set → signatures are really verified."""

    name = "bedrock"

    def __init__(
        self,
        default: Reply | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        super().__init__(default)
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self.stream_exceptions: list[str] = []  # next streams answer this exception in-stream

    def is_model_path(self, path: str) -> bool:
        return path.startswith("/model/")

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/model/{model}/invoke", self.invoke)
        app.router.add_post("/model/{model}/invoke-with-response-stream", self.invoke)

    def _auth_problem(self, request: web.Request, body: bytes) -> tuple[str, str] | None:
        """(Bedrock's exception name, message) for a call AWS would not authenticate."""
        match = AUTHORIZATION.match(request.headers.get("authorization", ""))
        amz_date = request.headers.get("x-amz-date", "")
        incomplete = "IncompleteSignatureException"
        if not match or not AMZ_DATE.match(amz_date):
            return incomplete, "Authorization requires a well-formed SigV4 header and X-Amz-Date."
        if match["date"] != amz_date[:8] or match["region"] != self.region:
            return incomplete, f"Credential should be scoped to a valid region ({self.region})."
        if not {"host", "x-amz-date"} <= set(match["signed"].split(";")):
            return incomplete, "SignedHeaders must include host and x-amz-date."
        if self.access_key and match["key"] != self.access_key:
            return "UnrecognizedClientException", "The security token included is invalid."
        if self.secret_key and not self._signature_ok(request, body, match["signed"]):
            return "InvalidSignatureException", (
                "The request signature we calculated does not match the signature you provided."
            )
        return None

    def _signature_ok(self, request: web.Request, body: bytes, signed: str) -> bool:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        headers = {k: v for k, v in request.headers.items() if k.lower() in signed.split(";")}
        url = f"http://{request.headers['host']}{request.raw_path}"
        rebuilt = AWSRequest("POST", url, headers, body)
        rebuilt.context["timestamp"] = request.headers["x-amz-date"]
        assert self.access_key and self.secret_key
        token = request.headers.get("x-amz-security-token")
        auth = SigV4Auth(
            Credentials(self.access_key, self.secret_key, token), "bedrock", self.region
        )
        canonical = auth.canonical_request(rebuilt)
        expected = auth.signature(auth.string_to_sign(rebuilt, canonical), rebuilt)
        given = request.headers["authorization"].rpartition("Signature=")[2]
        return secrets.compare_digest(expected, given)

    @staticmethod
    def _body_problem(body: object) -> str | None:
        if not isinstance(body, dict):
            return "Malformed input request, please reformat your input and try again."
        for key in ("model", "stream"):
            if key in body:
                return f"Malformed input request: #: extraneous key [{key}] is not permitted"
        if body.get("anthropic_version") != VERSION:
            return f"Malformed input request: anthropic_version must be {VERSION}"
        rest = {k: v for k, v in body.items() if k not in ("anthropic_version", "anthropic_beta")}
        return beta_problem(body) or validate_request(rest)

    async def invoke(self, request: web.Request) -> web.StreamResponse:
        received = await self.record(request)
        refused = self._auth_problem(request, received.body)
        if refused:
            return aws_error(403, *refused)
        try:
            body = received.json()
        except orjson.JSONDecodeError:
            body = None
        problem = self._body_problem(body)
        if problem:
            return aws_error(400, "ValidationException", problem)
        assert isinstance(body, dict)
        model = request.match_info["model"]
        return await self._answer(request, body, model, request.path.endswith("-stream"))

    async def _answer(
        self, request: web.Request, body: Json, model: str, streaming: bool
    ) -> web.StreamResponse:
        reply = self.next_reply()
        await hold(reply)
        if reply.status != 200:
            name = _ERRORS.get(reply.status, "InternalServerException")
            return aws_error(reply.status, name, reply.error_message)
        if reply.text == ECHO:
            reply = replace(reply, text=last_user_text(body))
        message = message_for(reply, model)
        if not streaming:
            return json_response(200, message, {"x-amzn-requestid": secrets.token_hex(8)})
        response = web.StreamResponse(
            status=200, headers={"content-type": "application/vnd.amazon.eventstream"}
        )
        await response.prepare(request)
        if self.stream_exceptions:
            name = self.stream_exceptions.pop(0)
            frames = [exception_frame(name, "Too many requests, please wait before trying again.")]
        elif reply.garbage:
            frames = [b"\x00\x00\x00\x10garbage-not-a-frame"]
        else:
            frames = [chunk_frame(event) for event in anthropic_events(message)]
        return await send_events(response, frames, reply, self)
