"""What is never logged, at every level: the Authorization header, query strings, tokens in error
lines; and an unexpected error is a 500 problem with the request id, logged under that id.

In-process, the services' own JSON-lines handler is pointed at a buffer with the root logger at
DEBUG; over real sockets, both services run with LOG_LEVEL=DEBUG and their output is read.
"""

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from auth_service.tokens import TokenBook
from common.observability import _JsonLinesHandler, access_log
from tests.apps import demo_auth_app, demo_info_app, info_with_auth
from tools.launch import both_services

SECRETS = ["merixstudio", "s3cret-in-query", "wrong-token-x", "other-secret"]
QUERY = "?token=s3cret-in-query&access_token=s3cret-in-query"


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Everything the services log, at DEBUG, as the JSON lines they write."""
    root = logging.getLogger()
    handler: _JsonLinesHandler | None = next(
        (h for h in root.handlers if isinstance(h, _JsonLinesHandler)), None
    )
    if handler is None:
        demo_auth_app()  # configures logging
        [handler] = [h for h in root.handlers if isinstance(h, _JsonLinesHandler)]
    buffer = io.StringIO()
    stream, handler.stream = handler.stream, buffer  # not setStream(): it flushes the old stream
    levels = root.level, access_log.level
    root.setLevel(logging.DEBUG)
    access_log.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        handler.stream = stream
        root.setLevel(levels[0])
        access_log.setLevel(levels[1])


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_no_token_or_query_string_in_any_line_in_process(logs):
    calls = [
        {"Authorization": "merixstudio"},
        {"Authorization": "Bearer merixstudio"},
        {"Authorization": "wrong-token-x"},
        [("Authorization", "merixstudio"), ("Authorization", "other-secret")],
        {"Authorization": "merixstudio", "X-Request-ID": "bad id"},  # logs a warning
    ]
    with TestClient(demo_auth_app()) as auth, TestClient(demo_info_app()) as info:
        for headers in calls:
            auth.post(f"/login/{QUERY}", headers=headers)
            info.get(f"/info/{QUERY}", headers=headers)
        info.get(f"/nowhere{QUERY}", headers={"Authorization": "merixstudio"})

    text = logs.getvalue()
    access = [line for line in lines(logs) if line["logger"] == "access"]
    assert len(access) == 5 + 5 + 4 + 1, "every request: at auth, at info, info asking auth (not for the 400)"
    assert {line["path"] for line in access} == {"/login/", "/info/", "/nowhere"}, "no query string"
    assert any(line["level"] == "WARNING" for line in lines(logs))
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize(
    "failure",
    [
        # What a transport raises (httpx's errors), and an answer that echoes the token.
        lambda request: (_ for _ in ()).throw(httpx.ConnectError("Cannot connect", request=request)),
        lambda request: (_ for _ in ()).throw(httpx.ReadTimeout("Timeout on reading", request=request)),
        lambda request: httpx.Response(500, text=request.headers["authorization"]),
    ],
    ids=["unreachable", "timeout", "off-contract"],
)
def test_no_token_in_the_lines_of_a_failing_auth(logs, failure):
    with info_with_auth(failure, auth_breaker_failures=1) as info:
        for _ in range(2):  # the second one meets the open breaker
            assert info.get(f"/info/{QUERY}", headers={"Authorization": "merixstudio"}).status_code == 503

    assert len([line for line in lines(logs) if line["logger"] == "access"]) == 2
    for secret in SECRETS:
        assert secret not in logs.getvalue()


def test_an_unexpected_error_is_a_500_problem_logged_under_the_request_id(logs, monkeypatch):
    def crash(self, token):
        raise RuntimeError("boom")

    monkeypatch.setattr(TokenBook, "subject_for", crash)
    with TestClient(demo_auth_app(), raise_server_exceptions=False) as auth:
        response = auth.post(
            f"/login/{QUERY}", headers={"Authorization": "merixstudio", "X-Request-ID": "crash-1"}
        )

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "crash-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Internal error; the request id in the logs tells what happened.",
    }
    [error] = [line for line in lines(logs) if line["level"] == "ERROR"]
    assert (error["request_id"], error["message"]) == ("crash-1", "unhandled RuntimeError")
    assert "RuntimeError: boom" in error["exc_info"]
    [access] = [line for line in lines(logs) if line["logger"] == "access"]
    assert (access["request_id"], access["status"], access["path"]) == ("crash-1", 500, "/login/")
    for secret in SECRETS:
        assert secret not in logs.getvalue()


@pytest.mark.processes
def test_no_token_or_query_string_over_real_sockets_at_debug():
    debug = {"LOG_LEVEL": "DEBUG"}
    with both_services(auth_env=debug, info_env=debug) as (auth, info):
        for token in ("merixstudio", "wrong-token-x"):
            headers = {"Authorization": token, "X-Request-ID": f"never-{token[:5]}"}
            httpx.get(f"{info.url}/info/{QUERY}", headers=headers)
            httpx.post(f"{auth.url}/login/{QUERY}", headers=headers)
        # A line is written after its answer is sent: stopped first, every line is in the logs.
        info.stop()
        auth.stop()
        logged = auth.logs() + info.logs()

    for request_id in ("never-merix", "never-wrong"):
        assert logged.count(f'"request_id": "{request_id}"') >= 3, "both services logged each request"
    for secret in SECRETS:
        assert secret not in logged
