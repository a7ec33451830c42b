"""The shared plumbing, piece by piece: the JSON log line, the problem responses a route declares,
the garbage collector's tuning, the offline ReDoc bundle's caching."""

import gc
import io
import json
import logging

from auth_service.models import Problem
from common.credentials import TokenHeader
from common.observability import _JsonLinesHandler
from common.problems import ProblemError, problem_responses
from common.service import tune_garbage_collector


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


def test_the_security_scheme_is_the_specs_token_in_the_authorization_header():
    scheme = TokenHeader()

    assert (scheme.model.name, scheme.model.in_.value, scheme.scheme_name) == (
        "Authorization",
        "header",
        "token",
    )


def test_a_problem_reads_as_its_detail():
    assert str(ProblemError(400, "Send exactly one Authorization header.")) == (
        "Send exactly one Authorization header."
    )
