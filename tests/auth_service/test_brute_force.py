"""Failed token attempts at auth, limited per caller address (common/ratelimit.py).

The caller is the peer, or, from a trusted peer (`FORWARDED_ALLOW_IPS`, default 127.0.0.1), the
address that peer names in `X-Forwarded-For`. The budget here is the default: 10 failures a minute.
"""

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from fastapi.testclient import TestClient

from common.ratelimit import RateLimitSettings
from tests.apps import demo_auth_app

N = 10
VALID = {"Authorization": "merixstudio"}
WRONG = {"Authorization": "wrong"}
INFO = ("127.0.0.1", 40000)  # a trusted peer by default, as info is in the demo


@contextmanager
def callers(*addresses: str, rate_limit: RateLimitSettings | None = None) -> Iterator[list[TestClient]]:
    """One auth app, and a client for it from each address (and from info's, last)."""
    app = demo_auth_app(rate_limit)
    with ExitStack() as stack:  # each client runs the lifespan; the limiter is the app's own
        clients = [stack.enter_context(TestClient(app, client=(address, 50000))) for address in addresses]
        clients.append(stack.enter_context(TestClient(app, client=INFO)))
        yield clients


def login(client: TestClient, headers: dict[str, str]) -> int:
    return client.post("/login/", headers=headers).status_code


def test_the_nth_failure_is_a_401_and_the_next_attempt_a_429_with_retry_after():
    with callers("198.51.100.7") as (guesser, _):
        start = time.monotonic()
        statuses = [login(guesser, WRONG) for _ in range(N)]
        refused = guesser.post("/login/", headers=WRONG)
        elapsed = time.monotonic() - start

    assert statuses == [401] * N
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    # The window opened with the first failure; the budget is back 60 s after it.
    retry_after = int(refused.headers["retry-after"])
    assert 60 - elapsed - 1 <= retry_after <= 60
    assert refused.headers["ratelimit-policy"] == '"failures";q=10;w=60'
    assert refused.headers["ratelimit"] == f'"failures";r=0;t={retry_after}'
    assert refused.json()["status"] == 429


def test_a_valid_token_from_another_address_is_never_limited():
    with callers("198.51.100.7", "198.51.100.8") as (guesser, honest, _):
        statuses = []
        for _ in range(3 * N):
            login(guesser, WRONG)
            statuses.append(login(honest, VALID))

        assert login(guesser, WRONG) == 429
    assert statuses == [200] * (3 * N)


def test_an_address_over_its_budget_is_refused_even_with_a_valid_token():
    # Checked before the token: a blocked address learns nothing, not even that a guess was right.
    with callers("198.51.100.7") as (guesser, _):
        for _ in range(N):
            login(guesser, WRONG)

        assert login(guesser, VALID) == 429


def test_valid_tokens_and_missing_headers_use_no_budget():
    with callers("198.51.100.7") as (caller, _):
        statuses = [login(caller, VALID) for _ in range(2 * N)]
        statuses += [login(caller, {}) for _ in range(2 * N)]
        statuses += [login(caller, WRONG) for _ in range(N)]

    assert statuses == [200] * (2 * N) + [401] * (2 * N) + [401] * N


def test_malformed_tokens_count_as_failures():
    with callers("198.51.100.7") as (guesser, _):
        statuses = [login(guesser, {"Authorization": "x" * 600}) for _ in range(N + 1)]

    assert statuses == [401] * N + [429]


def test_near_misses_of_the_valid_token_are_failures():
    near_misses = ["Merixstudio", "merixstudi", "merixstudio ", " merixstudio", "Bearer  merixstudio!"]
    with callers("198.51.100.7") as (guesser, _):
        statuses = [login(guesser, {"Authorization": token}) for token in near_misses * 2]
        statuses.append(login(guesser, VALID))

    assert statuses == [401] * N + [429]


def test_a_trusted_peer_names_the_caller_in_x_forwarded_for():
    with callers() as (info,):
        for _ in range(N):
            assert login(info, {**WRONG, "X-Forwarded-For": "203.0.113.7"}) == 401

        assert login(info, {**VALID, "X-Forwarded-For": "203.0.113.7"}) == 429
        # Another caller behind the same info, and info itself, are not limited.
        assert login(info, {**VALID, "X-Forwarded-For": "203.0.113.8"}) == 200
        assert login(info, VALID) == 200


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored():
    with callers("127.0.0.2") as (spoofer, _):
        statuses = [login(spoofer, {**WRONG, "X-Forwarded-For": f"203.0.113.{i}"}) for i in range(N + 1)]

    assert statuses == [401] * N + [429]


def test_the_trusted_peers_are_configurable():
    settings = RateLimitSettings(FORWARDED_ALLOW_IPS="127.0.0.2")
    with callers("127.0.0.2", rate_limit=settings) as (proxy, old_proxy):
        for i in range(N + 1):
            assert login(proxy, {**WRONG, "X-Forwarded-For": f"203.0.113.{i}"}) == 401
        statuses = [login(old_proxy, {**WRONG, "X-Forwarded-For": f"203.0.113.{i}"}) for i in range(N + 1)]

    assert statuses == [401] * N + [429]


@pytest.mark.parametrize(
    "value", ["somewhere", "203.0.113.7; rm", "203.0.113.7,,1.2.3.4", "1" * 46, ", ".join(["1.1.1.1"] * 9)]
)
def test_a_malformed_x_forwarded_for_is_a_400(value):
    with callers("198.51.100.7") as (caller, _):
        response = caller.post("/login/", headers={**VALID, "X-Forwarded-For": value})

    assert response.status_code == 400
    assert response.json()["detail"] == "X-Forwarded-For must be one list of IP addresses."


def test_the_budget_comes_back_when_the_window_has_passed():
    with callers("198.51.100.7", rate_limit=RateLimitSettings(failures=2, window=1)) as (guesser, _):
        statuses = [login(guesser, WRONG) for _ in range(3)]
        time.sleep(1.05)
        statuses += [login(guesser, WRONG) for _ in range(3)]

    assert statuses == [401, 401, 429, 401, 401, 429]
