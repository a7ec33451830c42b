"""Every error as `application/problem+json` (RFC 9457), built with the service's own model."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from common.observability import REQUEST_ID_HEADER, current_request_id

PROBLEM_JSON = "application/problem+json"

log = logging.getLogger("errors")


class ProblemError(Exception):
    """Raise to answer with a problem: `raise ProblemError(401, "...")`."""

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})


def problem_responses(model: type[BaseModel], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can answer these problem statuses."""
    return {
        status: {"model": model, "content": {PROBLEM_JSON: {}}, "description": HTTPStatus(status).phrase}
        for status in statuses
    }


def problem_response(
    model: type[BaseModel], status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A problem answer with a `model` body (the service's generated `Problem`)."""
    body = model(type="about:blank", title=HTTPStatus(status).phrase, status=status, detail=detail)
    return Response(body.model_dump_json(), status, headers, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI, model: type[BaseModel]) -> None:
    """Answer every error the app can raise with a `model` body and the problem media type."""

    def respond(status: int, detail: str, headers: Mapping[str, str] | None = None) -> Response:
        return problem_response(model, status, detail, headers)

    async def on_problem(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return respond(exc.status, exc.detail, exc.headers)

    async def on_http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return respond(exc.status_code, str(exc.detail), exc.headers)

    async def on_invalid_request(_: Request, exc: Exception) -> Response:
        return respond(400, "The request does not match the API description.")

    async def on_crash(_: Request, exc: Exception) -> Response:
        # Outside every middleware (Starlette's ServerErrorMiddleware): the request id and the
        # security headers are added here, and the error logged under the id, whichever server
        # runs the app.
        request_id = current_request_id()
        log.error("unhandled %s", type(exc).__name__, exc_info=exc)
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        return respond(500, "Internal error; the request id in the logs tells what happened.", headers)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(Exception, on_crash)
