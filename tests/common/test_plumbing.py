"""The shared plumbing, piece by piece: the JSON log line, the problem responses a route declares,
the garbage collector's tuning, the offline ReDoc bundle's caching, one middleware and one
dependency per request."""

import gc
import io
import json
import logging

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from auth_service.models import Problem
from common.credentials import TokenHeader
from common.middleware import ServiceMiddleware
from common.observability import _JsonLinesHandler
from common.problems import ProblemError, problem_responses
from common.service import tune_garbage_collector
from tests.apps import build
from tools.registry import services


def test_a_log_line_is_one_json_object_with_the_documented_fields():
    handler = _JsonLinesHandler()
    handler.stream = io.StringIO()
    record = logging.LogRecord("access", logging.INFO, __file__, 1, "request", None, None)
    record.color_message = "ignored"
    record.status = 200

    handler.handle(record)

    line = json.loads(handler.stream.getvalue())
    assert set(line) == {"time", "level", "logger", "message", "request_id", "status"}
    assert (line["level"], line["logger"], line["message"], line["request_id"]) == (
        "INFO",
        "access",
        "request",
        "-",
    )
    assert line["status"] == 200
    assert len(line["time"]) == len("2026-01-01T00:00:00+0000")
    assert handler.stream.getvalue().count("\n") == 1


def test_problem_responses_declare_the_model_and_the_problem_media_type():
    assert problem_responses(Problem, 401, 503) == {
        401: {"model": Problem, "content": {"application/problem+json": {}}, "description": "Unauthorized"},
        503: {
            "model": Problem,
            "content": {"application/problem+json": {}},
            "description": "Service Unavailable",
        },
    }


def test_the_garbage_collector_is_tuned_for_serving():
    thresholds = gc.get_threshold()
    gc.unfreeze()  # importing a service's app module froze the heap already
    gc.set_threshold(700, 10, 10)
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == (20_000, 20, 20)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_the_redoc_bundle_may_be_cached_for_an_hour(auth_client):
    response = auth_client.get("/static-offline-docs/redoc.standalone.js")

    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"


async def _nothing(_: object) -> None:
    return None


def test_the_security_scheme_is_the_specs_token_in_the_authorization_header():
    scheme = TokenHeader(_nothing)

    assert (scheme.model.name, scheme.model.in_.value, scheme.scheme_name) == (
        "Authorization",
        "header",
        "token",
    )


def test_a_problem_reads_as_its_detail():
    assert str(ProblemError(400, "Send exactly one Authorization header.")) == (
        "Send exactly one Authorization header."
    )


def resolved(dependant: Dependant) -> int:
    """How many dependencies FastAPI resolves for a route, sub-dependencies included."""
    return sum(1 + resolved(each) for each in dependant.dependencies)


@pytest.mark.parametrize("name", [each.name for each in services()])
def test_each_operation_resolves_at_most_one_dependency(name):
    contexts = [
        context
        for context in iter_route_contexts(build(name).routes)
        if isinstance(context.original_route, APIRoute) and context.original_route.include_in_schema
    ]

    # As served: the route's own dependencies, and those of the routers that include it.
    counts = {context.path: resolved(context.dependant) for context in contexts}

    assert counts, name
    assert all(count <= 1 for count in counts.values()), counts
    assert counts["/metrics"] == 0
    assert all(count == 1 for path, count in counts.items() if path != "/metrics"), "each checks the body"


@pytest.mark.parametrize("name", [each.name for each in services()])
def test_the_per_request_plumbing_is_one_middleware(name):
    classes: list[object] = [middleware.cls for middleware in build(name).user_middleware]

    assert classes.count(ServiceMiddleware) == 1


@pytest.mark.parametrize("name", [each.name for each in services()])
def test_the_api_routes_are_tried_before_the_docs_routes_and_share_no_path(name):
    """Routes are matched in order: an API request must not be tried against the docs' routes first
    (common/service.py), which is safe only while no path is both an operation and a docs route."""
    contexts = list(iter_route_contexts(build(name).routes))
    is_api = [isinstance(c.original_route, APIRoute) and c.original_route.include_in_schema for c in contexts]
    api_paths = {c.path for c, api in zip(contexts, is_api, strict=True) if api}
    docs_paths = {c.path for c, api in zip(contexts, is_api, strict=True) if not api}

    assert api_paths >= {"/healthz", "/readyz", "/metrics"}
    assert docs_paths >= {"/docs", "/openapi.json", "/redoc"}
    assert is_api == sorted(is_api, reverse=True), [c.path for c in contexts]  # every API route first
    assert not api_paths & docs_paths
