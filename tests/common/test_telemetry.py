"""Tracing set up in-process: the spans of one request through info and auth, what they carry and
what they never carry, and the provider built from the `OTEL_*` variables.

`tests/test_tracing.py` proves the same over real processes and a real OTLP receiver; these run
in the fast suite (and under `make mutate`), with the spans read from an in-memory exporter. The
process-wide tracer provider is replaced for the test only.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from common import telemetry
from tests.apps import demo_auth_app, demo_info_app

SANITIZE = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"
CAPTURE_REQUEST = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST"
CAPTURE_RESPONSE = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE"
OTEL_VARIABLES = (
    "OTEL_SDK_DISABLED",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_PYTHON_FASTAPI_EXCLUDED_URLS",
    "OTEL_PYTHON_EXCLUDED_URLS",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    CAPTURE_REQUEST,
    CAPTURE_RESPONSE,
)


class Tracing:
    """Tracing switched on for one test, its spans collected in memory."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.installed: list[Any] = []  # what the code made the global provider
        self.exporter = InMemorySpanExporter()
        self._collecting = False

    def provider(self) -> TracerProvider:
        provider = telemetry._provider
        assert isinstance(provider, TracerProvider), "no app was built with tracing on"
        return provider

    def app(self, build: Any) -> FastAPI:
        app: FastAPI = build()
        if not self._collecting:
            self.provider().add_span_processor(SimpleSpanProcessor(self.exporter))
            self._collecting = True
        return app

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())


@pytest.fixture
def tracing(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tracing]:
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    # instrument_client writes this variable: set it here, so that the test's value is undone.
    monkeypatch.setenv(SANITIZE, "")
    monkeypatch.setattr(telemetry, "_provider", None)
    tracing = Tracing(monkeypatch)
    # The SDK allows one global provider per process: the test's stays out of it.
    monkeypatch.setattr(trace, "set_tracer_provider", tracing.installed.append)
    yield tracing
    if telemetry._provider is not None:
        telemetry._provider.shutdown()


def by_name(spans: list[ReadableSpan]) -> dict[str, ReadableSpan]:
    named = {span.name: span for span in spans}
    assert len(named) == len(spans), [span.name for span in spans]
    return named


def test_a_request_through_info_is_one_trace_with_the_id_and_no_secret(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CAPTURE_REQUEST, "authorization,cookie,proxy-authorization,x-api-key,x-request-id")
    monkeypatch.setenv(CAPTURE_RESPONSE, "content-type")  # the operator's, besides the request id
    monkeypatch.setenv(SANITIZE, "x-api-key")  # the operator's, besides the secret ones
    with TestClient(tracing.app(demo_info_app)) as client:
        response = client.get(
            "/info/?token=s3cret-in-query",
            headers={
                "Authorization": "merixstudio",
                "Cookie": "session=s3cret-cookie",
                "Proxy-Authorization": "s3cret-proxy",
                "X-Api-Key": "s3cret-key",
                "X-Request-ID": "trace-me-1",
            },
        )
    assert response.status_code == 200

    # Three spans, no more (no span per ASGI send or receive): info's, its call, auth's.
    spans = by_name(tracing.spans())
    assert set(spans) == {"GET /info/", "POST", "POST /login/"}
    served, call, checked = spans["GET /info/"], spans["POST"], spans["POST /login/"]
    assert served.kind is trace.SpanKind.SERVER and call.kind is trace.SpanKind.CLIENT
    assert {span.context.trace_id for span in spans.values()} == {served.context.trace_id}
    assert served.parent is None
    assert call.parent is not None and call.parent.span_id == served.context.span_id
    assert checked.parent is not None and checked.parent.span_id == call.context.span_id

    attributes = dict(served.attributes or {})
    assert attributes["auth.outcome"] == "accepted"
    assert attributes["http.response.header.x_request_id"] == ("trace-me-1",)
    assert attributes["http.request.header.x_request_id"] == ("trace-me-1",)
    assert attributes["http.response.header.content_type"] == ("application/json",)
    for header in ("authorization", "cookie", "proxy_authorization", "x_api_key"):
        assert attributes[f"http.request.header.{header}"] == ("[REDACTED]",)
    assert attributes["http.url"] == "http://testserver/info/"  # the query string dropped
    # The call to auth carries the request id it forwards (the client hook), and no token.
    assert call.attributes[telemetry.CLIENT_REQUEST_ID_ATTRIBUTE] == ("trace-me-1",)  # type: ignore[index]
    everything = repr([dict(span.attributes or {}) for span in spans.values()])
    for secret in ("s3cret", "merixstudio", "token="):
        assert secret not in everything


def test_auth_refusing_is_the_outcome_on_infos_span(tracing: Tracing) -> None:
    with TestClient(tracing.app(demo_info_app)) as client:
        assert client.get("/info/", headers={"Authorization": "Merixstudio"}).status_code == 401
    assert by_name(tracing.spans())["GET /info/"].attributes["auth.outcome"] == "refused"  # type: ignore[index]


def test_metrics_scrapes_are_not_traced_unless_the_operator_says_otherwise(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(tracing.app(demo_auth_app)) as client:
        assert client.get("/metrics").status_code == 200
        assert client.get("/healthz").status_code == 200
    assert [span.name for span in tracing.spans()] == ["GET /healthz"]
    # The provider the app made is named after the service, OTEL_SERVICE_NAME being unset.
    assert tracing.provider().resource.attributes["service.name"] == "auth_service"

    tracing.exporter.clear()
    monkeypatch.setenv("OTEL_PYTHON_EXCLUDED_URLS", "/healthz")  # the generic variable
    with TestClient(tracing.app(demo_auth_app)) as client:
        assert client.get("/metrics").status_code == 200
        assert client.get("/healthz").status_code == 200
    assert [span.name for span in tracing.spans()] == ["GET /metrics"]

    tracing.exporter.clear()
    monkeypatch.setenv("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS", "/readyz")  # FastAPI's own wins
    with TestClient(tracing.app(demo_auth_app)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    assert [span.name for span in tracing.spans()] == ["GET /healthz"]


def test_one_provider_per_process_named_after_the_service_unless_the_env_names_it(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = telemetry._tracer_provider("info_service")
    assert telemetry._tracer_provider("auth_service") is provider
    assert tracing.installed == [provider]
    assert provider.resource.attributes["service.name"] == "info_service"
    processors = provider._active_span_processor._span_processors
    assert len(processors) == 1
    assert isinstance(processors[0], BatchSpanProcessor)
    assert isinstance(processors[0].span_exporter, ConsoleSpanExporter)
    provider.shutdown()

    monkeypatch.setattr(telemetry, "_provider", None)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "info-eu-1")
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp, console")
    provider = telemetry._tracer_provider("info_service")
    assert provider.resource.attributes["service.name"] == "info-eu-1"
    exporters = [each.span_exporter for each in provider._active_span_processor._span_processors]
    assert [type(each) for each in exporters] == [OTLPSpanExporter, ConsoleSpanExporter]


def test_the_otlp_exporter_speaks_http_protobuf_under_either_variable(monkeypatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(telemetry._otlp_exporter(), OTLPSpanExporter)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", " http/protobuf ")
    assert isinstance(telemetry._otlp_exporter(), OTLPSpanExporter)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc")  # the traces variable wins
    with pytest.raises(ValueError, match=r"^OTEL_EXPORTER_OTLP_PROTOCOL='grpc': .*gRPC is not installed$"):
        telemetry._otlp_exporter()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    assert isinstance(telemetry._otlp_exporter(), OTLPSpanExporter)


def test_the_exporter_list_is_read_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    assert telemetry.exporters_from_env() == []
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", " OTLP ,none,, Console")
    assert telemetry.exporters_from_env() == ["otlp", "console"]
    assert telemetry.tracing_enabled() is True
    for disabled in ("true", " TRUE "):
        monkeypatch.setenv("OTEL_SDK_DISABLED", disabled)
        assert telemetry.exporters_from_env() == []
    monkeypatch.setenv("OTEL_SDK_DISABLED", "false")
    assert telemetry.exporters_from_env() == ["otlp", "console"]
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin,console,jaeger")
    with pytest.raises(ValueError) as refused:
        telemetry.exporters_from_env()
    assert str(refused.value) == (
        "OTEL_TRACES_EXPORTER='zipkin,console,jaeger': unknown ['jaeger', 'zipkin']; "
        "use otlp, console or none"
    )


def test_the_client_redacts_the_secret_headers_and_keeps_the_operators_own(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(tracing.app(demo_info_app)):  # the client to auth is made at startup
        assert os.environ[SANITIZE] == "authorization,proxy-authorization,cookie,set-cookie"

    monkeypatch.setenv(SANITIZE, " x-api-key , cookie,")
    with TestClient(tracing.app(demo_info_app)):
        expected = "x-api-key,cookie,authorization,proxy-authorization,set-cookie"
        assert os.environ[SANITIZE] == expected


def test_nothing_is_instrumented_with_tracing_off(tracing: Tracing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    with TestClient(demo_info_app()) as client:
        assert client.get("/info/", headers={"Authorization": "merixstudio"}).status_code == 200
    assert telemetry._provider is None
    assert os.environ[SANITIZE] == ""


def recording_span() -> Any:
    return TracerProvider().get_tracer("test").start_span("a span")


def test_the_server_hook_drops_the_query_under_either_convention() -> None:
    span = recording_span()
    span.set_attribute("http.url", "http://host/info/?token=s3cret")
    span.set_attribute("url.query", "token=s3cret")
    telemetry._server_request_hook(span, {"query_string": b"token=s3cret"})
    assert span.attributes["http.url"] == "http://host/info/"
    assert span.attributes["url.query"] == "REDACTED"

    span = recording_span()  # the new conventions only: no URL attribute is added
    span.set_attribute("url.query", "token=s3cret")
    telemetry._server_request_hook(span, {"query_string": b"token=s3cret"})
    assert dict(span.attributes) == {"url.query": "REDACTED"}

    span = recording_span()  # no query: nothing to touch
    span.set_attribute("http.url", "http://host/info/")
    telemetry._server_request_hook(span, {"query_string": b""})
    assert dict(span.attributes) == {"http.url": "http://host/info/"}


@pytest.mark.anyio
async def test_the_client_hook_records_the_request_id_it_forwards() -> None:
    class Request:
        def __init__(self, headers: dict[str, str]) -> None:
            self.headers = headers

    span = recording_span()
    await telemetry._client_request_hook(span, Request({"x-request-id": "trace-me-2"}))
    assert dict(span.attributes) == {telemetry.CLIENT_REQUEST_ID_ATTRIBUTE: ("trace-me-2",)}

    span = recording_span()
    await telemetry._client_request_hook(span, Request({}))
    assert dict(span.attributes) == {}

    span.end()  # ended: no longer recording, so nothing is written
    await telemetry._client_request_hook(span, Request({"x-request-id": "late"}))
    assert dict(span.attributes) == {}


def test_the_server_hook_cuts_the_url_at_the_first_question_mark() -> None:
    span = recording_span()
    span.set_attribute("http.url", "http://host/info/?token=s3cret?more")
    telemetry._server_request_hook(span, {"query_string": b"token=s3cret?more"})
    assert span.attributes["http.url"] == "http://host/info/"


def test_the_server_hook_leaves_a_span_without_a_query_alone() -> None:
    span = recording_span()  # an empty query attribute: nothing to redact, nothing written
    span.set_attribute("url.query", "")
    telemetry._server_request_hook(span, {"query_string": b""})
    assert dict(span.attributes) == {"url.query": ""}


def test_the_server_hook_copes_with_a_span_that_shows_no_attributes() -> None:
    class OpaqueSpan:  # another SDK's recording span: it may not expose what it holds
        def __init__(self) -> None:
            self.written: dict[str, Any] = {}

        def is_recording(self) -> bool:
            return True

        def set_attribute(self, key: str, value: Any) -> None:
            self.written[key] = value

    span = OpaqueSpan()
    telemetry._server_request_hook(span, {"query_string": b"token=s3cret"})  # type: ignore[arg-type]
    assert span.written == {}


def test_header_lists_from_the_env_are_trimmed_and_extended_without_duplicates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TEST_HEADERS", raising=False)
    assert telemetry._from_env("OTEL_TEST_HEADERS") == []
    assert telemetry._from_env("OTEL_TEST_HEADERS", ("x-request-id",)) == ["x-request-id"]
    monkeypatch.setenv("OTEL_TEST_HEADERS", " x-a ,, x-request-id ,")
    assert telemetry._from_env("OTEL_TEST_HEADERS", ("x-request-id", "x-b")) == ["x-a", "x-request-id", "x-b"]


def test_a_route_that_reads_its_body_is_still_one_span(tracing: Tracing) -> None:
    """No span per ASGI message received or sent (none of the services' routes reads a body yet)."""
    app = FastAPI()

    @app.post("/echo")
    async def echo(payload: dict[str, int]) -> dict[str, int]:
        return payload

    telemetry.instrument_app(app, "echo_service")
    tracing.provider().add_span_processor(SimpleSpanProcessor(tracing.exporter))
    with TestClient(app) as client:
        assert client.post("/echo", json={"a": 1}).json() == {"a": 1}
    assert [span.name for span in tracing.spans()] == ["POST /echo"]
