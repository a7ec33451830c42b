"""The failure limiter when its shared storage fails: it keeps limiting with this process's own
counters for one second, then tries the storage again (common/ratelimit.py).

In-process, with a clock the test moves: the storage is a Redis URL on a port nobody listens on
(redis-py's connection is refused at once; no server is started). `tests/test_brute_force.py`
proves the same with a real Redis that goes down under real processes.
"""

import logging
import socket
import time
from types import SimpleNamespace

import pytest
from limits.aio.storage import MemoryStorage
from starlette.requests import HTTPConnection

from common import ratelimit
from common.problems import ProblemError
from common.ratelimit import FailureLimiter, RateLimitSettings

pytestmark = pytest.mark.anyio

WARNING = "rate-limit storage failed (ConnectionError); counting in this process for 1 s"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(monotonic=clock, time=time.time))
    return clock


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "common.ratelimit" and r.levelname == "WARNING"
    ]


async def test_a_dead_storage_means_this_process_counts_alone_and_retries_after_one_second(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "common.ratelimit")
    settings = RateLimitSettings(storage=f"redis://127.0.0.1:{unused_port()}/0", failures=2, window=60)
    limiter = FailureLimiter("auth", settings)

    await limiter.check("198.51.100.7")  # the storage fails: the check goes on, locally
    assert warnings(caplog) == [WARNING]
    assert limiter._shared_down_until == 1001.0

    clock.now = 1000.99  # still inside the second: no new attempt at the storage, no new line
    await limiter.failed("198.51.100.7")
    await limiter.failed("198.51.100.7")
    await limiter.check("198.51.100.8")  # another address has its own budget
    with pytest.raises(ProblemError) as refused:
        await limiter.check("198.51.100.7")  # counted here: two failures of a budget of two
    assert refused.value.status == 429
    assert refused.value.headers["RateLimit-Policy"] == '"failures";q=2;w=60'
    assert 59 <= int(refused.value.headers["Retry-After"]) <= 60
    assert warnings(caplog) == [WARNING]

    clock.now = 1001.0  # the second is over: the storage is tried again, fails again
    with pytest.raises(ProblemError):
        await limiter.check("198.51.100.7")  # and the local count still holds
    assert warnings(caplog) == [WARNING, WARNING]
    assert limiter._shared_down_until == 1002.0


async def test_a_failed_attempt_is_counted_even_when_the_storage_fails_on_it(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "common.ratelimit")
    settings = RateLimitSettings(storage=f"redis://127.0.0.1:{unused_port()}/0", failures=1, window=60)
    limiter = FailureLimiter("info", settings)

    await limiter.failed("198.51.100.7")  # the storage fails on the hit itself
    assert warnings(caplog) == [WARNING]
    with pytest.raises(ProblemError):
        await limiter.check("198.51.100.7")


async def test_memory_storage_has_no_second_counter_to_fall_back_to() -> None:
    for url in ("memory://", "async+memory://"):
        limiter = FailureLimiter("auth", RateLimitSettings(storage=url))
        assert limiter._local is limiter._shared, url
    redis = FailureLimiter("auth", RateLimitSettings(storage=f"redis://127.0.0.1:{unused_port()}/0"))
    assert redis._local is not redis._shared


def test_a_connection_without_a_peer_is_the_unknown_caller() -> None:
    assert ratelimit.caller_address(HTTPConnection({"type": "http", "client": None})) == "unknown"
    peer = HTTPConnection({"type": "http", "client": ("198.51.100.7", 50000)})
    assert ratelimit.caller_address(peer) == "198.51.100.7"


def test_redis_is_asked_with_a_quarter_second_budget() -> None:
    """Redis must answer within 0.25 s, or the request goes on with this process's counters."""
    limiter = FailureLimiter("auth", RateLimitSettings(storage=f"redis://127.0.0.1:{unused_port()}/0"))
    pool = limiter._shared.storage.bridge.storage.connection_pool  # type: ignore[attr-defined]
    timeouts = {key: pool.connection_kwargs[key] for key in ("socket_connect_timeout", "socket_timeout")}
    assert timeouts == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}


async def test_every_storage_url_the_settings_accept_builds_a_limiter() -> None:
    for url in ("memory://", "async+memory://"):
        limiter = FailureLimiter("auth", RateLimitSettings(storage=url, failures=1))
        assert type(limiter._shared.storage) is MemoryStorage
        await limiter.failed("198.51.100.7")
        with pytest.raises(ProblemError):
            await limiter.check("198.51.100.7")
    redis = FailureLimiter("auth", RateLimitSettings(storage=f"async+redis://127.0.0.1:{unused_port()}/0"))
    assert type(redis._shared.storage).__name__ == "RedisStorage"
