"""The blog's transcript, over real HTTP between two uvicorn processes on free ports."""

import time
from collections.abc import Callable
from functools import partial

import httpx
import pytest

from tools.launch import Service, both_services

pytestmark = pytest.mark.processes


@pytest.fixture(scope="module")
def services():
    with both_services(auth_env={"AUTH_TOKENS": '{"alice": "s3cret-e2e"}'}) as running:
        yield running


def test_no_header_is_401(services):
    _, info = services

    response = httpx.get(f"{info.url}/info/")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_valid_token_is_200_and_the_answer_byte_for_byte(services):
    _, info = services

    response = httpx.get(f"{info.url}/info/", headers={"Authorization": "s3cret-e2e"})

    assert response.status_code == 200
    assert response.content == b'{"info":"The answer is 42."}'


def test_a_wrong_token_is_401_not_500(services):
    _, info = services

    assert httpx.get(f"{info.url}/info/", headers={"Authorization": "wrong-e2e"}).status_code == 401


def logged(service: Service, request_id: str) -> bool:
    return f'"request_id": "{request_id}"' in service.logs()


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_request_id_crosses_services_and_tokens_stay_out_of_logs(services):
    auth, info = services

    response = httpx.get(
        f"{info.url}/info/", headers={"Authorization": "s3cret-e2e", "X-Request-ID": "trace-e2e"}
    )
    refused = httpx.get(
        f"{info.url}/info/", headers={"Authorization": "wrong-e2e", "X-Request-ID": "trace-e2e-wrong"}
    )

    assert response.headers["x-request-id"] == "trace-e2e"
    assert refused.status_code == 401
    # A service writes its access line after the answer has gone: give it a moment. Both requests
    # were logged, by both services.
    for request_id in ("trace-e2e", "trace-e2e-wrong"):
        for service in (auth, info):
            assert eventually(partial(logged, service, request_id)), (service.app, request_id)
    for logs in (auth.logs(), info.logs()):
        assert "s3cret-e2e" not in logs
        assert "wrong-e2e" not in logs


def test_the_demo_token_works_with_no_configuration():
    with both_services() as (_, info):
        response = httpx.get(f"{info.url}/info/", headers={"Authorization": "merixstudio"})

    assert response.status_code == 200
    assert response.content == b'{"info":"The answer is 42."}'
