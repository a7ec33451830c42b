"""The acceptance test of brute-force protection, with real processes on loopback.

A guesser at one address (127.0.0.3) and an honest caller at another (127.0.0.2): loopback is all
of 127.0.0.0/8, so a client socket bound to another address is another caller. Neither is a
trusted peer (`FORWARDED_ALLOW_IPS` is 127.0.0.1 by default); info, at 127.0.0.1, is trusted by
auth, so auth counts the guesser's failures under the guesser's address.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.redis_server import RedisServer, redis_server
from tools.launch import Service

N = 5
BUDGET = {"RATE_LIMIT_FAILURES": str(N), "RATE_LIMIT_WINDOW": "60"}
VALID = {"Authorization": "merixstudio"}
WRONG = {"Authorization": "wrong"}

pytestmark = pytest.mark.processes


@contextmanager
def running(app: str, env: dict[str, str]) -> Iterator[Service]:
    """tools.launch.running, with room for a slow start on a busy machine (a process that
    imports the Redis client on top of the app)."""
    service = Service(app, env)
    try:
        yield service.start(timeout=60)
    finally:
        service.close()


def caller(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=5)


def guesses_seen_by(auth: Service) -> int:
    """Calls auth answered 401 or 429 (the honest caller's are 200s), from its access log."""
    lines = [json.loads(line) for line in auth.logs().splitlines() if line.startswith("{")]
    return sum(1 for line in lines if line.get("path") == "/login/" and line.get("status") in (401, 429))


class Auth:
    """One auth process for the module; each test guesses from its own address and reads the
    calls auth got since the test began."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.url = service.url
        self.before = guesses_seen_by(service)

    def guesses(self) -> int:
        return guesses_seen_by(self.service) - self.before


def guess_and_serve(
    guesser_address: str, infos: list[Service], rounds: int
) -> tuple[list[httpx.Response], list[int]]:
    """The guesser's answers and the honest caller's statuses, the two interleaved; each request
    goes to the next info process in turn."""
    guesses, honest = [], []
    with caller(guesser_address) as guesser, caller("127.0.0.2") as user:
        for i in range(rounds):
            info = infos[i % len(infos)]
            guesses.append(guesser.get(f"{info.url}/info/", headers=WRONG))
            honest.append(user.get(f"{infos[-1 - i % len(infos)].url}/info/", headers=VALID).status_code)
    return guesses, honest


def assert_limited(guesses: list[httpx.Response], honest: list[int]) -> None:
    assert [response.status_code for response in guesses] == [401] * N + [429] * (len(guesses) - N)
    for refused in guesses[N:]:
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-policy"] == f'"failures";q={N};w=60'
    assert honest == [200] * len(honest)


@pytest.fixture(scope="module")
def auth_process() -> Iterator[Service]:
    with running("auth_service:app", BUDGET) as service:
        yield service


@pytest.fixture
def auth(auth_process: Service) -> Auth:
    return Auth(auth_process)


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def info_env(auth: Auth, **more: str) -> dict[str, str]:
    return {"AUTH_URL": auth.url, "ACCESS_LOG": "false", **BUDGET, **more}


def test_a_guesser_through_info_gets_n_401s_then_429s_and_auth_sees_n_guesses(auth):
    with running("info_service:app", info_env(auth)) as info:
        guesses, honest = guess_and_serve("127.0.0.3", [info], 3 * N)

    assert_limited(guesses, honest)
    assert auth.guesses() == N


def test_two_info_processes_sharing_redis_share_one_budget(auth, redis):
    env = info_env(auth, RATE_LIMIT_STORAGE=redis.url)
    with running("info_service:app", env) as first, running("info_service:app", env) as second:
        guesses, honest = guess_and_serve("127.0.0.4", [first, second], 3 * N)

    assert_limited(guesses, honest)
    assert auth.guesses() == N


def test_without_redis_each_info_process_counts_alone_and_auth_is_the_backstop(auth):
    # What Redis saves: with counters of their own, both processes keep asking auth for the
    # guesser; auth, which sees the guesser's address, refuses it after N failures all the same.
    with (
        running("info_service:app", info_env(auth)) as first,
        running("info_service:app", info_env(auth)) as second,
    ):
        guesses, honest = guess_and_serve("127.0.0.5", [first, second], 3 * N)

    assert_limited(guesses, honest)
    assert auth.guesses() == 2 * N  # N failures, then N 429s until each info's own budget ran out


def test_when_redis_goes_down_each_process_keeps_limiting_on_its_own(auth, redis):
    env = info_env(auth, RATE_LIMIT_STORAGE=redis.url)
    with running("info_service:app", env) as info:
        redis.stop()
        guesses, honest = guess_and_serve("127.0.0.6", [info], 3 * N)
        assert "rate-limit storage failed" in info.logs()

    assert_limited(guesses, honest)
