"""`info_service/auth.py` at its edges, through info in-process, auth answered by a mock: auth's
429 is passed on only with the `Retry-After` its contract allows (1 to 86,400 seconds, ASCII
digits), anything else is an answer outside the contract (a 503); an answer from the cache does
not hide an open breaker."""

import httpx
import pytest
from prometheus_client import REGISTRY

from tests.apps import info_with_auth
from tests.fakes import says_no

VALID = {"Authorization": "merixstudio"}
TOO_MANY = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "x"}
OFF_CONTRACT = "The auth service gave an answer outside its contract."


def answered(retry_after: str | None) -> httpx.Response:
    """Info's answer when auth answers 429 with this `Retry-After` (None: without one)."""
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    with info_with_auth(lambda _: httpx.Response(429, json=TOO_MANY, headers=headers)) as info:
        return info.get("/info/", headers=VALID)


@pytest.mark.parametrize("seconds", ["1", "2", "86399", "86400"])
def test_a_retry_after_within_the_contract_is_passed_on(seconds):
    response = answered(seconds)

    assert response.status_code == 429
    assert response.headers["retry-after"] == seconds
    assert response.headers["ratelimit"] == f'"failures";r=0;t={seconds}'


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "86401",
        "100000",
        "-1",
        "1.5",
        " 1",
        "",
        "soon",
        "\u0661\u0667",  # Arabic-Indic 17: digits to Python, not to HTTP
        "\u00b2",  # a superscript two: a digit to str.isdigit, not to int()
    ],
    ids=[
        "zero",
        "a-day-and-a-second",
        "too-far",
        "negative",
        "fraction",
        "space",
        "empty",
        "words",
        "non-ascii-digits",
        "superscript",
    ],
)
def test_any_other_retry_after_is_off_contract(value):
    response = answered(value)

    assert response.status_code == 503
    assert response.json()["detail"] == OFF_CONTRACT


def test_a_429_without_retry_after_is_off_contract():
    response = answered(None)

    assert (response.status_code, response.json()["detail"]) == (503, OFF_CONTRACT)


def test_a_cached_answer_while_the_breaker_is_open_keeps_the_breaker_gauge_at_one():
    failing = False

    def auth(request: httpx.Request) -> httpx.Response:
        if failing:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"subject": "demo"})

    with info_with_auth(auth, auth_cache_ttl=60, auth_breaker_failures=2, auth_retries=0) as info:
        assert info.get("/info/", headers=VALID).status_code == 200  # now in the cache
        failing = True
        others = [info.get("/info/", headers={"Authorization": f"other{i}"}).status_code for i in range(3)]
        assert others == [503, 503, 503]  # the third without asking: the breaker is open
        assert REGISTRY.get_sample_value("info_auth_breaker_open") == 1

        assert info.get("/info/", headers=VALID).status_code == 200  # from the cache

    assert REGISTRY.get_sample_value("info_auth_breaker_open") == 1


def calls_timed(outcome: str) -> float:
    return REGISTRY.get_sample_value("info_auth_call_duration_seconds_count", {"outcome": outcome}) or 0.0


def breaker_gauge() -> float | None:
    return REGISTRY.get_sample_value("info_auth_breaker_open")


@pytest.mark.parametrize(
    ("answer", "status", "outcome"),
    [({"subject": "demo"}, 200, "accepted"), (None, 401, "refused")],
    ids=["accepted", "refused"],
)
def test_an_answer_is_timed_under_its_outcome_with_the_breaker_closed(answer, status, outcome):
    def auth(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer) if answer else says_no()

    before = calls_timed(outcome)
    with info_with_auth(auth) as info:
        assert info.get("/info/", headers=VALID).status_code == status

    assert calls_timed(outcome) == before + 1
    assert breaker_gauge() == 0


def test_failures_are_timed_and_the_gauge_follows_the_breaker():
    def auth(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    before = calls_timed("unavailable")
    with info_with_auth(auth, auth_breaker_failures=2, auth_retries=0) as info:
        assert info.get("/info/", headers=VALID).status_code == 503
        assert (calls_timed("unavailable"), breaker_gauge()) == (before + 1, 0)
        assert info.get("/info/", headers=VALID).status_code == 503  # this failure opens it
        assert (calls_timed("unavailable"), breaker_gauge()) == (before + 2, 1)
        assert info.get("/info/", headers=VALID).status_code == 503  # not asked: not timed
        assert (calls_timed("unavailable"), breaker_gauge()) == (before + 2, 1)
