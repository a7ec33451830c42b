"""The circuit breaker's transitions, on a clock the test moves: closed -> open after N
consecutive failures; open -> half-open after the reset; a failed probe re-opens it for a full
reset; a success closes it and resets the count of failures."""

import httpx

from tests.apps import info_with_auth

VALID = {"Authorization": "merixstudio"}
PAUSED = "The auth service is failing; calls to it are paused."
TIMEOUT = "The auth service did not answer in time."


class Auth:
    """A scripted auth: answers 200 while `up`, times out otherwise; counts its calls."""

    def __init__(self) -> None:
        self.up = False
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if not self.up:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"subject": "demo"})


def detail(response: httpx.Response) -> str | None:
    return response.json().get("detail")


def test_a_failed_probe_opens_the_breaker_again_for_a_full_reset(clock):
    auth = Auth()
    with info_with_auth(auth, auth_breaker_failures=2, auth_breaker_reset=5) as info:
        assert [detail(info.get("/info/", headers=VALID)) for _ in range(2)] == [TIMEOUT, TIMEOUT]
        opened = info.get("/info/", headers=VALID)
        assert (detail(opened), opened.headers["retry-after"], auth.calls) == (PAUSED, "5", 2)

        clock.advance(5)
        assert detail(info.get("/info/", headers=VALID)) == TIMEOUT, "the probe reaches auth"
        assert auth.calls == 3
        reopened = info.get("/info/", headers=VALID)
        assert (detail(reopened), reopened.headers["retry-after"], auth.calls) == (PAUSED, "5", 3)

        clock.advance(4.99)
        assert detail(info.get("/info/", headers=VALID)) == PAUSED
        assert auth.calls == 3
        auth.up = True
        clock.advance(0.01)
        assert info.get("/info/", headers=VALID).status_code == 200
        assert info.get("/info/", headers=VALID).status_code == 200
        assert auth.calls == 5, "closed again: every call asks auth"


def test_a_success_resets_the_count_of_failures(clock):
    auth = Auth()
    with info_with_auth(auth, auth_breaker_failures=3, auth_breaker_reset=5) as info:
        for up in (False, False, True, False, False):
            auth.up = up
            assert info.get("/info/", headers=VALID).status_code == (200 if up else 503)
        # Four failures in all, but never three in a row: still closed.
        assert detail(info.get("/info/", headers=VALID)) == TIMEOUT
        assert auth.calls == 6
        assert detail(info.get("/info/", headers=VALID)) == PAUSED
        assert auth.calls == 6


def test_retry_after_counts_down_the_seconds_left(clock):
    auth = Auth()
    with info_with_auth(auth, auth_breaker_failures=1, auth_breaker_reset=5) as info:
        info.get("/info/", headers=VALID)
        seen = []
        for step in (0, 1.5, 2.0, 1.4):
            clock.advance(step)
            seen.append(info.get("/info/", headers=VALID).headers["retry-after"])

    assert seen == ["5", "4", "2", "1"]  # 5, 3.5, 1.5, 0.1 seconds left, rounded up
