"""The pool to auth, as configured: its size, keep-alive expiry below auth's, no per-host cap,
a short DNS cache."""

import aiohttp
import httpx
import pytest

from bench.aiohttp_transport import AiohttpTransport
from info_service.auth_http import pool_limits
from info_service.config import Settings
from info_service.decisions import DecisionCache

pytestmark = pytest.mark.anyio


def test_the_limits_follow_the_pool_size_and_expire_idle_connections_before_uvicorn_does():
    assert pool_limits(Settings(auth_pool_size=7)) == httpx.Limits(
        max_connections=7, max_keepalive_connections=7, keepalive_expiry=4.0
    )


async def test_the_aiohttp_session_honours_the_limits():
    transport = AiohttpTransport(httpx.Limits(max_connections=7, keepalive_expiry=4.0))
    session = transport._open()
    try:
        connector = session.connector
        assert connector is not None
        assert (connector.limit, connector.limit_per_host) == (7, 0)
        assert connector._keepalive_timeout == 4.0
        # A restarted auth (a new address under compose) is found within a second, not aiohttp's 10.
        assert isinstance(connector, aiohttp.TCPConnector)
        assert connector.use_dns_cache is True
        assert connector._cached_hosts._ttl == 1
        assert session.auto_decompress is False
        assert session.trust_env is False
    finally:
        await session.close()


async def test_no_limits_means_an_unbounded_pool_that_keeps_no_idle_connection():
    session = AiohttpTransport(httpx.Limits(max_connections=None, keepalive_expiry=None))._open()
    try:
        connector = session.connector
        assert connector is not None
        assert (connector.limit, connector._keepalive_timeout) == (0, 0)
    finally:
        await session.close()


def test_a_refreshed_decision_becomes_the_youngest():
    cache = DecisionCache(ttl=60, max_entries=3, clock=lambda: 0.0)
    for key in ("a", "b", "a", "c", "d"):  # refreshing a moves it behind b
        cache.put(key, key)

    assert [cache.get(key) for key in "abcd"] == ["a", None, "c", "d"]


def test_the_cache_holds_ten_thousand_decisions_by_default():
    cache = DecisionCache(ttl=60, clock=lambda: 0.0)
    for i in range(10_001):
        cache.put(str(i), "s")

    assert len(cache) == 10_000
    assert (cache.get("0"), cache.get("1")) == (None, "s")
