"""Failed token attempts at info, the edge: limited per caller address before auth is asked.

Auth is a mock here that counts the calls it gets; tests/test_brute_force.py does the same with
real processes, and with two info processes sharing Redis.
"""

import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

from common.ratelimit import RateLimitSettings
from info_service import create_app
from info_service.config import Settings
from tests.fakes import says_no

N = 10
VALID = {"Authorization": "merixstudio"}
WRONG = {"Authorization": "wrong"}


class Auth:
    """Accepts `merixstudio`; answers 429 with `retry_after` once `limited` is set; records calls."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.limited: str | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if self.limited:
            body = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "x"}
            return httpx.Response(429, json=body, headers={"Retry-After": self.limited})
        if request.headers.get("authorization") == "merixstudio":
            return httpx.Response(200, json={"subject": "demo"})
        return says_no()


def info_for(auth: Auth, *addresses: str, **rate_limit: Any) -> list[TestClient]:
    settings = Settings(rate_limit=RateLimitSettings(**rate_limit), log_level="WARNING")
    app = create_app(settings, auth_transport=httpx.MockTransport(auth))
    return [TestClient(app, client=(address, 50000)) for address in addresses]


def test_a_guesser_gets_n_401s_then_429s_and_auth_gets_n_calls():
    auth = Auth()
    guesser, honest = info_for(auth, "198.51.100.7", "198.51.100.8")
    with guesser, honest:
        start = time.monotonic()
        statuses, honest_statuses = [], []
        for _ in range(3 * N):
            statuses.append(guesser.get("/info/", headers=WRONG).status_code)
            honest_statuses.append(honest.get("/info/", headers=VALID).status_code)
        refused = guesser.get("/info/", headers=WRONG)
        elapsed = time.monotonic() - start

    assert statuses == [401] * N + [429] * (2 * N)
    assert honest_statuses == [200] * (3 * N)
    guesses = [call for call in auth.calls if call.headers["authorization"] == "wrong"]
    assert len(guesses) == N
    assert refused.headers["content-type"] == "application/problem+json"
    # The window opened with the first failure; the budget is back 60 s after it.
    retry_after = int(refused.headers["retry-after"])
    assert 60 - elapsed - 1 <= retry_after <= 60
    assert refused.headers["ratelimit-policy"] == '"failures";q=10;w=60'
    assert refused.headers["ratelimit"] == f'"failures";r=0;t={retry_after}'


def test_info_tells_auth_who_the_caller_is():
    auth = Auth()
    [caller] = info_for(auth, "198.51.100.7")
    with caller:
        caller.get("/info/", headers=VALID)

    assert auth.calls[0].headers["x-forwarded-for"] == "198.51.100.7"


def test_a_caller_without_an_ip_address_is_not_named_to_auth():
    auth = Auth()
    [caller] = info_for(auth, "testclient")
    with caller:
        assert caller.get("/info/", headers=VALID).status_code == 200

    assert "x-forwarded-for" not in auth.calls[0].headers


def test_malformed_tokens_count_and_never_reach_auth():
    auth = Auth()
    [guesser] = info_for(auth, "198.51.100.7")
    with guesser:
        statuses = [guesser.get("/info/", headers={"Authorization": "\tx"}).status_code for _ in range(N + 1)]

    assert statuses == [401] * N + [429]
    assert auth.calls == []


def test_a_spoofed_x_forwarded_for_from_an_untrusted_peer_is_ignored():
    auth = Auth()
    [spoofer] = info_for(auth, "127.0.0.2")
    with spoofer:
        statuses = [
            spoofer.get("/info/", headers={**WRONG, "X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(N + 1)
        ]

    assert statuses == [401] * N + [429]
    assert {call.headers["x-forwarded-for"] for call in auth.calls} == {"127.0.0.2"}


def test_auths_429_is_passed_on_with_its_retry_after_and_does_not_open_the_breaker():
    auth = Auth()
    [caller] = info_for(auth, "198.51.100.7")
    with caller:
        auth.limited = "17"
        refused = [caller.get("/info/", headers=VALID) for _ in range(8)]
        auth.limited = None
        after = caller.get("/info/", headers=VALID)

    assert {response.status_code for response in refused} == {429}
    assert refused[0].headers["retry-after"] == "17"
    assert refused[0].headers["ratelimit"] == '"failures";r=0;t=17'
    assert refused[0].json()["detail"].startswith("Too many failed token attempts")
    # Five failures would have opened the breaker: auth's 429 is an answer, not a failure.
    assert after.status_code == 200


def test_auths_429_without_a_sane_retry_after_is_off_contract():
    auth = Auth()
    [caller] = info_for(auth, "198.51.100.7")
    with caller:
        auth.limited = "soon"
        response = caller.get("/info/", headers=VALID)

    assert response.status_code == 503
    assert response.json()["detail"] == "The auth service gave an answer outside its contract."
