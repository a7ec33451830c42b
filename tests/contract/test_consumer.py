"""The info service against the auth contract: a stub made from specs/auth.yaml, over real HTTP.

The stub (tests/contract/auth_stub.py) runs as its own uvicorn process. It validates every request
info's generated client sends, answers each response the auth spec documents (and validates its
own answer), or misbehaves on purpose; the tests assert info's documented answer to each.
tests/info_service/test_auth_failures.py covers more malformed answers with an in-process mock.
"""

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from info_service import create_app
from info_service.config import Settings
from tests.contract.auth_stub import SLOW_SECONDS, documented_responses
from tests.contract.openapi import load_spec
from tools.launch import Service, listening_socket, running

pytestmark = pytest.mark.processes

# What info answers for each status auth documents for POST /login/. A status added to the auth
# spec fails test_every_documented_auth_answer_has_a_decided_info_answer until it is decided here.
# Auth's 429 is about this caller (info forwards its address): info passes it on, Retry-After too.
INFO_ANSWER_TO = {200: 200, 400: 401, 401: 401, 429: 429}
READ_TIMEOUT = 0.3
SELF_TEST = "stub-self-test"
assert READ_TIMEOUT < SLOW_SECONDS


def info_example(status: int, name: str | None = None) -> object:
    """The body specs/info.yaml documents for GET /info/ answering `status`."""
    spec = load_spec("info")
    response = spec["paths"]["/info/"]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    [media] = response["content"].values()
    return media["examples"][name]["value"] if name else media["example"]


def stub_events(stub: Service) -> list[dict]:
    return [
        json.loads(line.split(" ", 1)[1]) for line in stub.logs().splitlines() if line.startswith("STUB ")
    ]


@pytest.fixture(scope="module")
def stub() -> Iterator[Service]:
    with running("tests.contract.auth_stub:app") as service:
        yield service
        violations = [
            event
            for event in stub_events(service)
            if event.get("violations") and event["request_id"] != SELF_TEST
        ]
        assert not violations, f"requests or stub answers outside specs/auth.yaml: {violations}"


@pytest.fixture
def info(stub: Service) -> Iterator[TestClient]:
    """A fresh info service (fresh breaker) whose auth is the stub, over the network."""
    settings = Settings(auth_url=stub.url, auth_read_timeout=READ_TIMEOUT, log_level="WARNING")
    with TestClient(create_app(settings)) as client:
        yield client


def ask(info: TestClient, token: str) -> httpx.Response:
    return info.get("/info/", headers={"Authorization": token, "X-Request-ID": f"consumer-{token}"})


@pytest.mark.parametrize("answer", documented_responses("/login/", "post"), ids=lambda answer: answer.token)
def test_each_documented_auth_answer_gets_infos_documented_answer(info, stub, answer):
    response = ask(info, answer.token)

    expected = INFO_ANSWER_TO[answer.status]
    assert response.status_code == expected, response.text
    assert response.json() == info_example(expected)
    if expected == 429:
        assert response.headers["retry-after"] == str(answer.headers["Retry-After"])
    [event] = [event for event in stub_events(stub) if event["token"] == answer.token]
    assert (event["method"], event["path"], event["answer"]) == ("POST", "/login/", answer.token)
    assert event["request_id"] == f"consumer-{answer.token}" == response.headers["x-request-id"]


def test_every_documented_auth_answer_has_a_decided_info_answer():
    documented = {answer.status for answer in documented_responses("/login/", "post")}

    assert documented == set(INFO_ANSWER_TO), (
        f"specs/auth.yaml documents login statuses {sorted(documented)}; "
        f"info's answers are decided for {sorted(INFO_ANSWER_TO)}"
    )


@pytest.mark.parametrize(
    ("misbehaviour", "example"),
    [("slow", "timeout"), ("undocumented-status", "bad-answer"), ("malformed-body", "bad-answer")],
)
def test_a_misbehaving_auth_gets_a_503_with_retry_after(info, misbehaviour, example):
    response = ask(info, misbehaviour)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.json() == info_example(503, example)


def test_a_refused_connection_gets_a_503_with_retry_after():
    with listening_socket() as sock:
        nobody_listens = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with TestClient(create_app(Settings(auth_url=nobody_listens))) as info:
        response = ask(info, "200")

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 1
    assert response.json() == info_example(503, "unreachable")


def test_readiness_asks_the_auth_readiness_probe(info, stub):
    assert info.get("/readyz", headers={"X-Request-ID": "consumer-ready"}).status_code == 200

    assert [event["request_id"] for event in stub_events(stub) if event["path"] == "/readyz"] == [
        "consumer-ready"
    ]


def test_the_stub_refuses_what_the_auth_spec_does_not_allow(stub):
    request_id = {"X-Request-ID": SELF_TEST}
    missing_token = httpx.post(f"{stub.url}/login/", headers=request_id)
    with_body = httpx.post(
        f"{stub.url}/login/", headers={"Authorization": "200", **request_id}, content=b"{}"
    )
    wrong_method = httpx.get(f"{stub.url}/login/", headers={"Authorization": "200", **request_id})

    assert [missing_token.status_code, with_body.status_code, wrong_method.status_code] == [418, 418, 418]
    assert "SecurityValidationError" in missing_token.text
    assert "takes none" in with_body.text
