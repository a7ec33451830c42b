"""Prometheus metrics at `GET /metrics`: requests by operation and status, latency, in flight.

prometheus-client keeps the numbers. With several uvicorn workers, set `PROMETHEUS_MULTIPROC_DIR`
to an empty directory, writable and shared by the workers (the client's multiprocess mode): each
worker writes its values to files there, and whichever worker answers a scrape adds them all up.
Without it, each worker would answer with its own counts only; a worker that starts without it
under a process supervisor says so in the log.

Labels come from the route the router already matched (the spec's `operationId`, else the route's
path), never from the raw path: an unknown path is `operation="unmatched"`, so no caller can grow
the label set.
"""

import logging
import multiprocessing
import os

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import Scope

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Seconds; from a cache hit (~0.1 ms) to the slowest answer a caller waits for (1 s read timeout).
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

log = logging.getLogger("metrics")

REQUESTS = Counter(
    "http_requests",
    "Requests answered, by operation (the spec's operationId) and status.",
    ["operation", "status"],
)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by operation.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
IN_FLIGHT = Gauge("http_requests_in_flight", "Requests being served now.", multiprocess_mode="livesum")


class PrometheusText(Response):
    media_type = CONTENT_TYPE_PLAIN_0_0_4


class RequestMetrics:
    """Counts and times every HTTP request the app answers, 404s and errors included.

    `common/middleware.py` calls it once a request has ended; `IN_FLIGHT` it moves itself.
    """

    def __init__(self) -> None:
        self._requests: dict[tuple[str, int], Counter] = {}
        self._durations: dict[str, Histogram] = {}

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        operation = _operation(scope)
        # The labelled children, looked up once: `labels()` takes a lock and builds a tuple.
        if (counter := self._requests.get((operation, status))) is None:
            counter = self._requests[operation, status] = REQUESTS.labels(operation, str(status))
        if (histogram := self._durations.get(operation)) is None:
            histogram = self._durations[operation] = DURATION.labels(operation)
        counter.inc()
        histogram.observe(seconds)


def _operation(scope: Scope) -> str:
    """The operation the router sent the request to, from the scope it shares with us: the spec's
    operationId, else the route's path (docs pages, `/openapi.json`, the docs' assets' mount)."""
    route: object | None = scope.get("route") or _plain_route(scope)
    if route is None:
        return "unmatched"
    return getattr(route, "operation_id", None) or getattr(route, "path", None) or "unmatched"


def _plain_route(scope: Scope) -> object | None:
    """A plain Starlette route or mount, which FastAPI's router matches without recording the
    route itself in the scope, only its endpoint: found by that endpoint among the app's routes."""
    endpoint, router = scope.get("endpoint"), scope.get("router")
    if endpoint is None or router is None:
        return None
    routes: list[object] = router.routes
    for route in routes:
        if getattr(route, "endpoint", None) is endpoint or getattr(route, "app", None) is endpoint:
            return route
    return None


def exposition() -> bytes:
    """Every metric, in the Prometheus text format (0.0.4); all workers' in multiprocess mode."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated in the library
        return generate_latest(registry)
    return generate_latest(REGISTRY)


router = APIRouter()


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=PrometheusText,
    responses={200: {"content": {CONTENT_TYPE_PLAIN_0_0_4: {"schema": {"type": "string"}}}}},
)
async def metrics() -> PrometheusText:
    return PrometheusText(exposition())


def install_metrics(app: FastAPI) -> None:
    """`GET /metrics`; the counting is done by the one middleware (`common/middleware.py`)."""
    app.include_router(router)
    if multiprocessing.parent_process() is not None and not os.environ.get(MULTIPROCESS_ENV):
        log.warning(
            "a worker process without %s: with several workers, /metrics counts only the requests "
            "of the worker that answers the scrape",
            MULTIPROCESS_ENV,
        )
