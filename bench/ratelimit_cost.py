"""`python -m bench.ratelimit_cost`: what the failure limiter adds to a request that succeeds.

In-process, CPU time (time.process_time) per call, median of 5 rounds:
- the check alone (`FailureLimiter.check`), counters in memory and, with REDIS_URL set, in Redis;
- a whole GET /info/ with a valid token through the info app (auth in-process), with the limiter
  and the proxy-headers middleware, and with both taken out.
"""

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from auth_service import create_app as create_auth_app
from auth_service.config import Settings as AuthSettings
from common.ratelimit import FailureLimiter, RateLimitSettings
from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings
from tools.asgi import ServedTransport

ROUNDS = 7


async def per_call(call: Callable[[], Awaitable[object]], n: int, rounds: int = ROUNDS) -> float:
    """Median CPU µs per call over `rounds` rounds of n calls."""
    for _ in range(min(n, 200)):
        await call()
    results = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(n):
            await call()
        results.append((time.process_time() - start) / n * 1e6)
    return statistics.median(results)


async def check_cost(storage: str, n: int) -> float:
    limiter = FailureLimiter("bench", RateLimitSettings(storage=storage))
    return await per_call(lambda: limiter.check("198.51.100.7"), n)


def info_app(limited: bool) -> FastAPI:
    rate_limit = RateLimitSettings()
    auth = create_auth_app(AuthSettings(_env_file=None, rate_limit=rate_limit, access_log=False))
    settings = InfoSettings(rate_limit=rate_limit, log_level="WARNING", access_log=False)
    app = create_info_app(settings, auth_transport=ServedTransport(auth))
    if not limited:  # no proxy-headers middleware (and, once started, a check that does nothing)
        app.user_middleware = [m for m in app.user_middleware if m.cls is not ProxyHeadersMiddleware]  # type: ignore[comparison-overlap]  # a class is a middleware factory
    return app


async def nothing(*_: object) -> None:
    return None


async def request_costs(n: int) -> tuple[float, float]:
    """Median CPU µs per GET /info/ (with, without), the two variants interleaved round by round."""
    costs: dict[bool, list[float]] = {True: [], False: []}
    async with AsyncExitStack() as stack:
        calls: dict[bool, Callable[[], Awaitable[None]]] = {}
        for limited in (True, False):
            app = info_app(limited)
            transport = ServedTransport(app, client=("198.51.100.7", 50000))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://i")
            )

            async def call(client: httpx.AsyncClient = client) -> None:
                response = await client.get("/info/", headers={"Authorization": "merixstudio"})
                assert response.status_code == 200

            await call()  # the lifespan opens the limiter
            if not limited:
                assert transport.state is not None
                transport.state["failure_limiter"].check = nothing
            calls[limited] = call
        for _ in range(ROUNDS):
            for limited, each in calls.items():
                costs[limited].append(await per_call(each, n, rounds=1))
    return statistics.median(costs[True]), statistics.median(costs[False])


async def main() -> None:
    print(f"check, memory://       {await check_cost('memory://', 20_000):8.1f} µs")
    if url := os.environ.get("REDIS_URL"):
        print(f"check, {url:15} {await check_cost(url, 2_000):8.1f} µs")
    with_limiter, without = await request_costs(1_000)
    print(f"GET /info/ without     {without:8.1f} µs")
    print(f"GET /info/ with        {with_limiter:8.1f} µs  (+{with_limiter - without:.1f})")


if __name__ == "__main__":
    asyncio.run(main())
