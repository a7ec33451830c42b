"""Brute-force protection: failed token attempts, limited per caller address (the `limits` library).

A caller address may fail `RATE_LIMIT_FAILURES` times in a window of `RATE_LIMIT_WINDOW` seconds
that opens with its first failure (a fixed window; docs/security.md says why not a moving one).
Once it has, every token it presents is answered 429 without being checked, until the window
ends. Only failures count: callers with a valid token are never limited, whatever other addresses
do.

The address is the connection's peer, or, when that peer is a trusted proxy (uvicorn's
`FORWARDED_ALLOW_IPS`, default `127.0.0.1`), the caller it names in `X-Forwarded-For` (uvicorn's
`ProxyHeadersMiddleware`, installed in the app so that every server behaves the same).

Counters live in the process (`memory://`, the default) or in Redis (`RATE_LIMIT_STORAGE=
redis://host:6379/0`), shared by every worker and replica. When Redis fails, the limiter fails
open to a per-process budget: each process keeps limiting with its own counters, and goes back to
Redis one second later. See docs/security.md.

Each service's lifespan opens one `FailureLimiter` into its typed state (`request.state.
failure_limiter`); `install_proxy_headers` resolves the caller's address.
"""

import ipaddress
import logging
import math
import time
from typing import Annotated

from fastapi import FastAPI
from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.requests import HTTPConnection
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from common.problems import ProblemError

log = logging.getLogger(__name__)

# draft-ietf-httpapi-ratelimit-headers-09: the policy's name, as a Structured Field string.
POLICY = "failures"
# How long the limiter keeps away from a Redis that failed, before trying it again.
STORAGE_RETRY_SECONDS = 1.0
# Redis must answer within this, or the request goes on with the per-process counters.
STORAGE_TIMEOUT_SECONDS = 0.25


class RateLimitSettings(BaseSettings):
    """`RATE_LIMIT_*` from the environment; both services read the same names."""

    model_config = SettingsConfigDict(env_prefix="RATE_LIMIT_", extra="ignore")

    failures: Annotated[int, Field(ge=1, le=10_000)] = 10
    window: Annotated[int, Field(ge=1, le=86_400, description="Seconds.")] = 60
    storage: str = Field("memory://", description="memory:// or redis://[:password@]host:port/db")
    # uvicorn's own variable: the server and the app then agree on whom to trust.
    forwarded_allow_ips: str = Field("127.0.0.1", validation_alias="FORWARDED_ALLOW_IPS")

    @field_validator("storage")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        scheme = value.removeprefix("async+").split("://", 1)[0]
        if scheme not in {"memory", "redis", "rediss"}:
            raise ValueError("RATE_LIMIT_STORAGE is memory://, redis://... or rediss://...")
        return value


def caller_address(connection: HTTPConnection) -> str:
    """The caller's address, as the proxy-headers middleware resolved it."""
    return connection.client.host if connection.client else "unknown"


def ip_or_none(address: str) -> str | None:
    """`address` when it is an IP address (what `X-Forwarded-For` may carry), else None."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _storage(uri: str) -> Storage:
    if not uri.startswith("async+"):
        uri = f"async+{uri}"
    if uri.startswith("async+memory"):
        return MemoryStorage()
    # redis-py (`redis.asyncio`): it imports in half the time of limits' default, coredis.
    storage = storage_from_string(
        uri,
        implementation="redispy",
        wrap_exceptions=True,
        socket_connect_timeout=STORAGE_TIMEOUT_SECONDS,
        socket_timeout=STORAGE_TIMEOUT_SECONDS,
    )
    assert isinstance(storage, Storage)
    return storage


class FailureLimiter:
    """Counts failed token attempts per caller address; refuses callers over the budget with 429."""

    def __init__(self, service: str, settings: RateLimitSettings) -> None:
        self.limit = RateLimitItemPerSecond(
            settings.failures, settings.window, namespace=f"{service}-failures"
        )
        self.policy = f'"{POLICY}";q={settings.failures};w={settings.window}'
        self._shared = FixedWindowRateLimiter(_storage(settings.storage))
        self._local = self._shared
        if not settings.storage.removeprefix("async+").startswith("memory"):
            self._local = FixedWindowRateLimiter(MemoryStorage())
        self._shared_down_until = 0.0

    async def check(self, address: str) -> None:
        """Raise the 429 problem when `address` has used its budget of failures."""
        strategy = self._strategy()
        try:
            if await strategy.test(self.limit, address):
                return
            reset, _ = await strategy.get_window_stats(self.limit, address)
        except StorageError as exc:
            self._storage_failed(exc)
            return await self.check(address)
        retry_after = max(1, math.ceil(reset - time.time()))
        raise too_many_failures(retry_after, self.policy)

    async def failed(self, address: str) -> None:
        """Count one failed attempt from `address`."""
        strategy = self._strategy()
        try:
            await strategy.hit(self.limit, address)
        except StorageError as exc:
            self._storage_failed(exc)
            await self.failed(address)

    def _strategy(self) -> FixedWindowRateLimiter:
        if self._shared_down_until and time.monotonic() < self._shared_down_until:
            return self._local
        return self._shared

    def _storage_failed(self, exc: StorageError) -> None:
        # Fail open to this process's own counters (never to no limit at all), and retry later.
        log.warning(
            "rate-limit storage failed (%s); counting in this process for %.0f s",
            type(exc.storage_error).__name__,
            STORAGE_RETRY_SECONDS,
        )
        self._shared_down_until = time.monotonic() + STORAGE_RETRY_SECONDS


def too_many_failures(retry_after: int, policy: str) -> ProblemError:
    return ProblemError(
        429,
        "Too many failed token attempts from this address; try again after Retry-After seconds.",
        {
            "Retry-After": str(retry_after),
            "RateLimit-Policy": policy,
            "RateLimit": f'"{POLICY}";r=0;t={retry_after}',
        },
    )


def install_proxy_headers(app: FastAPI, settings: RateLimitSettings) -> None:
    """The caller's address, resolved from `X-Forwarded-For` when the peer is a trusted proxy."""
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
