"""Traces across the hop, over real processes: info and auth export to an OTLP receiver in the test.

One request with a caller's `traceparent` makes one trace: info's server span, the client span
of the call to auth (child of it), auth's server span (child of that). The request id and the
auth outcome are attributes; the token is nowhere in the exported bytes, though the services are
told to capture every header, and neither is a secret sent in the query string.
"""

import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from common import telemetry
from tests.apps import demo_auth_app
from tools.launch import Service, free_port
from tools.otlp import Receiver, Span, receiving

SERVER, CLIENT = 2, 3  # opentelemetry.proto.trace.v1.Span.SpanKind
TOKEN = "tr4ce-t0ken-" + secrets.token_hex(8)
QUERY_SECRET = "qu3ry-s3cret-" + secrets.token_hex(8)


def tracing_env(receiver: Receiver, service: str) -> dict[str, str]:
    return {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_SERVICE_NAME": service,
        "OTEL_BSP_SCHEDULE_DELAY": "50",  # ms: export at once, not every 5 s
        # Every header captured, to prove the tokens are redacted all the same.
        "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST": ".*",
        "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE": ".*",
        "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST": ".*",
        "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE": ".*",
    }


@pytest.fixture(scope="module")
def receiver():
    with receiving() as receiver:
        yield receiver


@contextmanager
def started(app: str, env: dict[str, str]) -> Iterator[Service]:
    service = Service(app, env)
    try:
        yield service.start(timeout=60)  # a loaded 2-core machine takes seconds to import a service
    finally:
        service.close()


@pytest.fixture(scope="module")
def services(receiver):
    auth_env = {
        **tracing_env(receiver, "auth-under-test"),
        "AUTH_TOKEN_SHA256": json.dumps({"alice": hashlib.sha256(TOKEN.encode()).hexdigest()}),
    }
    with started("auth_service:app", auth_env) as auth:
        info_env = {**tracing_env(receiver, "info-under-test"), "AUTH_URL": auth.url}
        with started("info_service:app", info_env) as info:
            yield auth, info


def caller_context() -> tuple[str, str, str]:
    """(traceparent, trace id, span id) of a caller that is itself traced."""
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return f"00-{trace_id}-{span_id}-01", trace_id, span_id


def trace_of(receiver: Receiver, trace_id: str, count: int) -> list[Span]:
    """The `count` spans of one trace, once they all arrived, and no more."""
    spans = receiver.trace(trace_id, count)
    assert len(spans) == count, spans
    time.sleep(0.2)  # longer than the export delay: a span too many would have arrived by now
    assert receiver.trace(trace_id, count + 1, timeout=0) == spans
    return spans


def one(spans: list[Span], service: str, kind: int) -> Span:
    found = [span for span in spans if span.service == service and span.kind == kind]
    assert len(found) == 1, f"{service} kind {kind}: {found}"
    return found[0]


def assert_no_secret_was_exported(receiver: Receiver) -> None:
    exported = b"".join(receiver.raw)
    assert exported, "nothing was exported"
    for secret in (TOKEN, QUERY_SECRET):
        assert secret.encode() not in exported


def get_info(info_url: str, token: str, traceparent: str, request_id: str) -> httpx.Response:
    return httpx.get(
        f"{info_url}/info/?access_token={QUERY_SECRET}",
        headers={"Authorization": f"Bearer {token}", "traceparent": traceparent, "X-Request-ID": request_id},
    )


@pytest.mark.processes
@pytest.mark.parametrize(
    ("token", "status", "outcome"),
    [(TOKEN, 200, "accepted"), ("wr0ng-" + TOKEN, 401, "refused")],
    ids=["valid-token", "wrong-token"],  # the same names in every process (pytest-xdist)
)
def test_one_trace_from_info_through_the_client_into_auth(services, receiver, token, status, outcome):
    _, info = services
    receiver.clear()
    traceparent, trace_id, caller_span_id = caller_context()

    response = get_info(info.url, token, traceparent, f"trace-{status}")

    assert response.status_code == status
    spans = trace_of(receiver, trace_id, 3)
    server = one(spans, "info-under-test", SERVER)
    client = one(spans, "info-under-test", CLIENT)
    auth = one(spans, "auth-under-test", SERVER)
    assert server.parent_span_id == caller_span_id
    assert client.parent_span_id == server.span_id
    assert auth.parent_span_id == client.span_id
    assert (server.name, client.name, auth.name) == ("GET /info/", "POST", "POST /login/")
    assert server.attributes["auth.outcome"] == outcome
    assert server.attributes["http.status_code"] == status
    assert auth.attributes["http.status_code"] == status
    for span in (server, auth):
        assert span.attributes["http.response.header.x_request_id"] == [f"trace-{status}"]
    assert client.attributes["http.request.header.x_request_id"] == [f"trace-{status}"]
    # Captured, and redacted: every header is captured in this test.
    assert server.attributes["http.request.header.authorization"] == ["[REDACTED]"]
    assert auth.attributes["http.request.header.authorization"] == ["[REDACTED]"]
    assert "?" not in server.attributes.get("http.url", "")
    assert_no_secret_was_exported(receiver)


@pytest.mark.processes
def test_auth_down_is_a_503_in_one_trace_of_info_and_its_failed_calls(receiver):
    receiver.clear()
    traceparent, trace_id, caller_span_id = caller_context()
    env = {**tracing_env(receiver, "info-alone"), "AUTH_URL": f"http://127.0.0.1:{free_port()}"}

    with started("info_service:app", env) as info:
        response = get_info(info.url, TOKEN, traceparent, "trace-503")
        # A refused connection is retried once: two client spans.
        spans = trace_of(receiver, trace_id, 3)

    assert response.status_code == 503
    server = one(spans, "info-alone", SERVER)
    calls = [span for span in spans if span.kind == CLIENT]
    assert len(calls) == 2
    assert server.parent_span_id == caller_span_id
    assert all(call.parent_span_id == server.span_id for call in calls)
    assert server.attributes["auth.outcome"] == "unavailable"
    assert server.attributes["http.status_code"] == 503
    assert all(call.error for call in calls), calls
    assert_no_secret_was_exported(receiver)


@pytest.mark.processes
def test_metrics_scrapes_are_not_traced(services, receiver):
    _, info = services
    receiver.clear()
    traceparent, trace_id, _ = caller_context()

    httpx.get(f"{info.url}/metrics", headers={"traceparent": traceparent})
    httpx.get(f"{info.url}/healthz", headers={"traceparent": traceparent})

    spans = trace_of(receiver, trace_id, 1)
    assert [span.name for span in spans] == ["GET /healthz"]


def middleware_classes(app: FastAPI) -> list[str]:
    stack: Any = app.build_middleware_stack()
    names = []
    while stack is not None:
        names.append(type(stack).__name__)
        stack = getattr(stack, "app", None)
    return names


def test_tracing_is_off_unless_an_exporter_is_set(monkeypatch):
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    assert "OpenTelemetryMiddleware" not in middleware_classes(demo_auth_app())

    for value in ("none", "", " none "):
        monkeypatch.setenv("OTEL_TRACES_EXPORTER", value)
        assert not telemetry.tracing_enabled()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not telemetry.tracing_enabled()


def test_a_wrong_exporter_or_protocol_fails_at_startup_with_the_reason(monkeypatch):
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "jaeger")
    with pytest.raises(ValueError, match="use otlp, console or none"):
        telemetry.tracing_enabled()

    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp,console")
    assert telemetry.exporters_from_env() == ["otlp", "console"]
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.raises(ValueError, match="http/protobuf"):
        telemetry._otlp_exporter()
