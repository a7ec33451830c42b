"""A stand-in for the auth service, made from specs/auth.yaml and nothing else.

Every request it receives is validated against the spec (openapi-core), and every answer it gives
is one the spec documents, built from the spec's examples and validated against the spec before
it is sent. The caller picks the answer with its token, which info forwards untouched:
`Authorization: 401` gets the documented 401, `400-body` the 400 example named `body`. Tokens
naming a misbehaviour (`slow`, `undocumented-status`, `malformed-body`) get an answer outside the
contract, on purpose, and those answers skip the self-validation.

Run it as a process: `uvicorn tests.contract.auth_stub:app`. One JSON line per request on stderr,
prefixed `STUB `, says what came in and any contract violation, so tests can read it from the log.
"""

import asyncio
import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.contrib.starlette import StarletteOpenAPIRequest, StarletteOpenAPIResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.contract.openapi import deref

SPEC = Path(__file__).resolve().parents[2] / "specs" / "auth.yaml"
PROBLEM_JSON = "application/problem+json"
# Longer than any read timeout the consumer tests give info.
SLOW_SECONDS = 3.0
MISBEHAVIOURS: dict[str, tuple[int, bytes, str] | None] = {
    "slow": None,
    "undocumented-status": (418, b'{"detail": "I am a teapot"}', "application/json"),
    "malformed-body": (200, b'{"subject": "demo"', "application/json"),
}


@cache
def openapi() -> OpenAPI:
    # openapi-core knows how to read application/json only; problem+json is JSON too.
    return OpenAPI.from_file_path(
        str(SPEC), config=Config(extra_media_type_deserializers={PROBLEM_JSON: json.loads})
    )


@cache
def spec() -> dict[str, Any]:
    return dict(openapi().spec.read_value())


@dataclass(frozen=True)
class Documented:
    """One response the spec documents for an operation: a status and, if several, an example name."""

    status: int
    example: str | None
    body: Any
    media_type: str
    headers: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return f"{self.status}-{self.example}" if self.example else str(self.status)


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    return deref(spec(), node)


def documented_responses(path: str, method: str) -> list[Documented]:
    """Every answer the spec documents for an operation, one per example."""
    found = []
    for status, response in spec()["paths"][path][method]["responses"].items():
        response = _deref(response)
        headers = {
            name: _deref(header).get("example") for name, header in response.get("headers", {}).items()
        }
        for media_type, media in response["content"].items():
            examples = media.get("examples") or {None: {"value": media["example"]}}
            for name, example in examples.items():
                found.append(Documented(int(status), name, _deref(example)["value"], media_type, headers))
    return found


def _log(**event: Any) -> None:
    print("STUB", json.dumps(event), file=sys.stderr, flush=True)


def _response(status: int, content: bytes, media_type: str, headers: dict[str, str]) -> Response:
    return Response(content, status, headers, media_type=media_type)


def _documented_response(answer: Documented, request: Request) -> Response:
    headers = {}
    for name, example in answer.headers.items():
        if name.lower() == "x-request-id":
            headers[name] = request.headers.get(name, "stub-request-id")
        else:
            headers[name] = str(example)
    return _response(answer.status, json.dumps(answer.body).encode(), answer.media_type, headers)


def _request_violations(request: Request, body: bytes) -> list[str]:
    result = openapi().unmarshal_request(StarletteOpenAPIRequest(request, body=body))
    violations = [f"{type(error).__name__}: {error}" for error in result.errors]
    operation = spec()["paths"].get(request.url.path, {}).get(request.method.lower(), {})
    if body and "requestBody" not in operation:
        violations.append(f"a body ({len(body)} bytes) sent to an operation that takes none")
    return violations


def _response_violations(request: Request, body: bytes, response: Response) -> list[str]:
    result = openapi().unmarshal_response(
        StarletteOpenAPIRequest(request, body=body), StarletteOpenAPIResponse(response)
    )
    return [
        f"{type(error).__name__}: {error} {getattr(error, '__cause__', '') or ''}" for error in result.errors
    ]


async def _sleep_unless_abandoned(request: Request, seconds: float) -> None:
    """Sleep, but stop once the caller has given up (so that shutting down is quick)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    # Polling: Starlette exposes a disconnect only by asking.
    while loop.time() < deadline and not await request.is_disconnected():  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def handle(request: Request) -> Response:
    body = await request.body()
    token = request.headers.get("authorization", "")
    violations = _request_violations(request, body)
    event = {
        "method": request.method,
        "path": request.url.path,
        "token": token,
        "request_id": request.headers.get("x-request-id"),
        "body": len(body),
    }
    if violations:
        _log(**event, violations=violations)
        return _response(418, json.dumps(violations).encode(), "application/json", {})
    if token in MISBEHAVIOURS:
        _log(**event, misbehaviour=token)
        if token == "slow":
            await _sleep_unless_abandoned(request, SLOW_SECONDS)
            token = "200"
        else:
            misbehaviour = MISBEHAVIOURS[token]
            assert misbehaviour is not None  # only "slow" has none, handled above
            status, content, media_type = misbehaviour
            return _response(status, content, media_type, {"X-Request-ID": "stub"})
    answers = {
        answer.token: answer for answer in documented_responses(request.url.path, request.method.lower())
    }
    # Probes take no token: their one documented answer.
    answer = answers.get(token) or next(iter(answers.values()))
    response = _documented_response(answer, request)
    violations = _response_violations(request, body, response)
    _log(**event, answer=answer.token, violations=violations)
    if violations:
        return _response(418, json.dumps(violations).encode(), "application/json", {})
    return response


app = Starlette(
    routes=[Route("/{path:path}", handle, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])]
)
