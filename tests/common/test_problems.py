"""Every error as a problem (common/problems.py), on a bare app: each handler's status, detail,
headers, media type and body, read back exactly."""

import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from auth_service.models import Problem
from common.observability import request_id_var
from common.problems import PROBLEM_JSON, ProblemError, install_problem_handlers, problem_response


def bare_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app, Problem)

    @app.get("/problem")
    async def problem() -> None:
        raise ProblemError(429, "Slow down.", {"Retry-After": "7"})

    @app.get("/http-error")
    async def http_error() -> None:
        raise HTTPException(409, "Taken.", {"X-Why": "taken"})

    @app.get("/typed/{number}")
    async def typed(number: int) -> int:
        return number

    @app.get("/crash")
    async def crash() -> None:
        request_id_var.set("crash-id-1")  # what the request-id middleware does in the services
        raise RuntimeError("s3cret detail")

    @app.get("/crash-without-id")
    async def crash_without_id() -> None:
        request_id_var.set(None)
        raise RuntimeError("boom")

    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(bare_app(), raise_server_exceptions=False) as client:
        yield client


def body(status: int, title: str, detail: str) -> dict[str, object]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def test_a_problem_error_is_answered_with_its_status_detail_and_headers(client: TestClient) -> None:
    response = client.get("/problem")
    assert response.status_code == 429
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["retry-after"] == "7"
    assert response.json() == body(429, "Too Many Requests", "Slow down.")


def test_an_http_error_keeps_its_detail_and_headers(client: TestClient) -> None:
    response = client.get("/http-error")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["x-why"] == "taken"
    assert response.json() == body(409, "Conflict", "Taken.")

    missing = client.get("/nowhere")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM_JSON)
    assert missing.json() == body(404, "Not Found", "Not Found")


def test_a_request_off_the_description_is_a_400_that_names_nothing_it_received(client: TestClient) -> None:
    response = client.get("/typed/s3cret")
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == body(400, "Bad Request", "The request does not match the API description.")
    assert "s3cret" not in response.text


def test_a_crash_is_a_500_with_the_request_id_and_one_error_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "errors")
    response = client.get("/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["x-request-id"] == "crash-id-1"
    assert response.json() == body(
        500, "Internal Server Error", "Internal error; the request id in the logs tells what happened."
    )
    assert "s3cret" not in response.text
    errors = [record for record in caplog.records if record.name == "errors"]
    assert [(record.levelname, record.getMessage()) for record in errors] == [
        ("ERROR", "unhandled RuntimeError")
    ]
    assert errors[0].exc_info is not None and isinstance(errors[0].exc_info[1], RuntimeError)


def test_a_crash_without_a_request_id_sends_no_id_header(client: TestClient) -> None:
    response = client.get("/crash-without-id")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON  # the handler answered, not the server
    assert response.json()["status"] == 500
    assert "x-request-id" not in response.headers


def test_a_problem_response_carries_the_model_the_status_and_the_headers() -> None:
    response = problem_response(Problem, 503, "Auth is down.", {"Retry-After": "5"})
    assert response.status_code == 503
    assert response.media_type == PROBLEM_JSON
    assert response.headers["retry-after"] == "5"
    assert Problem.model_validate_json(bytes(response.body)).model_dump(mode="json") == body(
        503, "Service Unavailable", "Auth is down."
    )
    assert problem_response(Problem, 401, "No.").headers.get("retry-after") is None


def test_a_problem_error_holds_a_copy_of_its_headers() -> None:
    headers = {"Retry-After": "1"}
    error = ProblemError(429, "Slow down.", headers)
    headers["Retry-After"] = "2"
    assert (error.status, error.detail, error.headers, str(error)) == (
        429,
        "Slow down.",
        {"Retry-After": "1"},
        "Slow down.",
    )
    assert ProblemError(401, "No.").headers == {}
