"""OpenTelemetry traces, configured only by the standard `OTEL_*` variables, and off by default.

With `OTEL_TRACES_EXPORTER` unset or `none` (or `OTEL_SDK_DISABLED=true`) nothing is installed:
no middleware, no tracer provider, no cost per request. Otherwise each service gets the official
FastAPI instrumentation (a server span per request, continuing the caller's W3C `traceparent`),
and info's httpx client to auth the official httpx instrumentation (a client span per call, whose
`traceparent` makes auth's server span its child).

The standard variables this reads (the SDK and instrumentations read the rest themselves):
`OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` (default name: the service's package),
`OTEL_TRACES_EXPORTER` (`otlp`, `console`, `none`; a comma-separated list works),
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` and friends (OTLP over HTTP
with protobuf: the collector's and Jaeger's port 4318), `OTEL_TRACES_SAMPLER` /
`OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_*` for batching, `OTEL_PYTHON_FASTAPI_EXCLUDED_URLS`.

Secrets stay out of spans: the `Authorization`, `Proxy-Authorization`, `Cookie` and `Set-Cookie`
headers are redacted even when an operator asks the instrumentations to capture every header,
and query strings are never recorded (no operation takes one, so a query is noise or a leak).
"""

import os
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace

# Where the semantic conventions put a captured header: the request id, on every span.
CLIENT_REQUEST_ID_ATTRIBUTE = "http.request.header.x_request_id"
EXPORTERS = ("otlp", "console")
SENSITIVE_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie")
# Prometheus scrapes /metrics every few seconds: a trace each would be noise.
DEFAULT_EXCLUDED_URLS = "/metrics$"

_provider: Any = None  # the SDK's TracerProvider, once tracing is on in this process


def exporters_from_env() -> list[str]:
    """The exporters `OTEL_TRACES_EXPORTER` asks for; empty when tracing is off."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    value = os.environ.get("OTEL_TRACES_EXPORTER", "none")
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - {*EXPORTERS, "none"})
    if unknown:
        raise ValueError(f"OTEL_TRACES_EXPORTER={value!r}: unknown {unknown}; use otlp, console or none")
    return [name for name in names if name != "none"]


def tracing_enabled() -> bool:
    return bool(exporters_from_env())


def _otlp_exporter() -> Any:
    protocol = os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    )
    if protocol.strip() != "http/protobuf":
        raise ValueError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: these services export OTLP over HTTP "
            "(http/protobuf, port 4318 on a collector or Jaeger); gRPC is not installed"
        )
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers, timeout, compression: from OTEL_EXPORTER_OTLP_*


def _tracer_provider(default_service_name: str) -> Any:
    """The process's provider, made once: the resource, the sampler and the exporters from the env."""
    global _provider
    if _provider is not None:
        return _provider
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: default_service_name}))
    provider = TracerProvider(resource=resource)  # the sampler: OTEL_TRACES_SAMPLER(_ARG)
    for name in exporters_from_env():
        exporter = _otlp_exporter() if name == "otlp" else ConsoleSpanExporter()
        provider.add_span_processor(BatchSpanProcessor(exporter))  # OTEL_BSP_*; flushed at exit
    trace.set_tracer_provider(provider)
    _provider = provider
    return provider


def _from_env(name: str, extra: tuple[str, ...] = ()) -> list[str]:
    values = [value.strip() for value in os.environ.get(name, "").split(",") if value.strip()]
    return [*values, *(value for value in extra if value not in values)]


def _server_request_hook(span: trace.Span, scope: dict[str, Any]) -> None:
    """Drops the query string from the server span: it could carry a secret, and no operation reads one."""
    if not scope.get("query_string") or not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    if "http.url" in attributes:  # the old conventions put the query into the URL
        span.set_attribute("http.url", str(attributes["http.url"]).split("?", 1)[0])
    if "url.query" in attributes:  # the new ones into an attribute of its own
        span.set_attribute("url.query", "REDACTED")


def instrument_app(app: FastAPI, service_name: str) -> None:
    """A server span per request, when tracing is on; nothing at all otherwise."""
    if not tracing_enabled():
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    excluded = os.environ.get("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS") or os.environ.get(
        "OTEL_PYTHON_EXCLUDED_URLS"
    )
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_tracer_provider(service_name),
        server_request_hook=_server_request_hook,
        excluded_urls=excluded if excluded is not None else DEFAULT_EXCLUDED_URLS,
        # The request id (echoed or generated) becomes `http.response.header.x-request-id`.
        http_capture_headers_server_request=_from_env(
            "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST"
        ),
        http_capture_headers_server_response=_from_env(
            "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE", ("x-request-id",)
        ),
        http_capture_headers_sanitize_fields=_from_env(
            "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS", SENSITIVE_HEADERS
        ),
        # One span per request: no child span per ASGI message sent or received.
        exclude_spans=["receive", "send"],
    )


async def _client_request_hook(span: trace.Span, request: Any) -> None:
    # Async: the httpx instrumentation calls only an async hook for an AsyncClient (a plain
    # function is silently ignored there, and the client span went without the request id).
    request_id = request.headers.get("x-request-id")
    if request_id and span.is_recording():
        span.set_attribute(CLIENT_REQUEST_ID_ATTRIBUTE, [request_id])


def instrument_client(client: Any, service_name: str) -> None:
    """A client span per request the httpx client sends, with `traceparent` on the request."""
    if not tracing_enabled():
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    # The httpx instrumentation reads header capture and redaction only from the environment.
    sanitize = "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS"
    os.environ[sanitize] = ",".join(_from_env(sanitize, SENSITIVE_HEADERS))
    HTTPXClientInstrumentor.instrument_client(
        client, tracer_provider=_tracer_provider(service_name), request_hook=_client_request_hook
    )


def set_span_attribute(key: str, value: str) -> None:
    """On the span of the request being served; a no-op (a few hundred ns) when tracing is off."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attribute(key, value)
