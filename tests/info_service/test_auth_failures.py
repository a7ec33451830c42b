"""When auth cannot say: 503 problem+json with Retry-After, at once, and recovery by itself."""

import httpx
import pytest

from tests.apps import info_with_auth
from tests.fakes import refuse, says_no, time_out

VALID = {"Authorization": "merixstudio"}


def answer(status: int, content: bytes, content_type: str = "application/json"):
    def auth(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    return auth


@pytest.mark.parametrize(
    ("auth", "detail"),
    [
        (refuse, "The auth service is unreachable."),
        (time_out, "The auth service did not answer in time."),
        (answer(500, b"oops", "text/plain"), "The auth service gave an answer outside its contract."),
        (answer(200, b"not json"), "The auth service gave an answer outside its contract."),
        (answer(200, b'{"name": "demo"}'), "The auth service gave an answer outside its contract."),
        (answer(200, b'{"subject": 42}'), "The auth service gave an answer outside its contract."),
        (answer(200, b"[]"), "The auth service gave an answer outside its contract."),
        (answer(302, b""), "The auth service gave an answer outside its contract."),
        (
            answer(401, b"<html>no</html>", "text/html"),
            "The auth service gave an answer outside its contract.",
        ),
    ],
    ids=[
        "refused",
        "timeout",
        "500",
        "not-json",
        "wrong-field",
        "wrong-type",
        "array",
        "redirect",
        "html-401",
    ],
)
def test_auth_failures_are_503_with_retry_after(auth, detail):
    with info_with_auth(auth) as info:
        response = info.get("/info/", headers=VALID)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": detail,
    }


def test_a_refused_connection_is_retried_once_and_a_401_never():
    calls: list[str] = []

    def auth(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["authorization"])
        if len(calls) == 1:
            return refuse(request)
        return says_no()

    with info_with_auth(auth) as info:
        assert info.get("/info/", headers={"Authorization": "wrong"}).status_code == 401

    assert calls == ["wrong", "wrong"]


@pytest.mark.parametrize("failure", [time_out, answer(500, b"oops", "text/plain")], ids=["timeout", "500"])
def test_an_answer_or_a_timeout_is_never_retried(failure):
    calls = 0

    def auth(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return failure(request)

    with info_with_auth(auth) as info:
        assert info.get("/info/", headers=VALID).status_code == 503

    assert calls == 1


def test_the_breaker_opens_after_repeated_failures_and_recovers_by_itself(clock):
    calls = 0
    auth_is_up = False

    def auth(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if not auth_is_up:
            return time_out(request)
        return httpx.Response(200, json={"subject": "demo"})

    with info_with_auth(auth, auth_breaker_failures=3, auth_breaker_reset=5) as info:
        for _ in range(3):
            assert info.get("/info/", headers=VALID).status_code == 503
        assert calls == 3

        paused = info.get("/info/", headers=VALID)
        assert paused.status_code == 503
        assert paused.json()["detail"] == "The auth service is failing; calls to it are paused."
        assert calls == 3, "an open breaker must not call auth"

        auth_is_up = True
        clock.advance(4.99)
        assert info.get("/info/", headers=VALID).json()["detail"] == paused.json()["detail"]
        assert calls == 3, "still open until the reset has passed"
        clock.advance(0.01)
        assert info.get("/info/", headers=VALID).status_code == 200
        assert info.get("/info/", headers=VALID).status_code == 200
        assert calls == 5


def test_401s_do_not_open_the_breaker():
    def auth(request: httpx.Request) -> httpx.Response:
        return says_no()

    with info_with_auth(auth, auth_breaker_failures=2) as info:
        statuses = {info.get("/info/", headers={"Authorization": "wrong"}).status_code for _ in range(5)}

    assert statuses == {401}


def test_readiness_follows_auth():
    with info_with_auth(refuse) as info:
        response = info.get("/readyz")
        live = info.get("/healthz")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert live.status_code == 200
