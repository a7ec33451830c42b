"""The app factory: settings -> auth gateway (one pool per process) and failure limiter -> routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

import httpx
from fastapi import FastAPI, Request
from starlette.responses import Response

from common.observability import configure_logging
from common.problems import problem_response
from common.ratelimit import FailureLimiter, install_proxy_headers
from common.service import create_service_app, tune_garbage_collector
from info_service.auth import AuthGateway, AuthUnavailable
from info_service.auth_http import auth_http_client, generated_client
from info_service.config import Settings
from info_service.models import Problem
from info_service.routes import router


class State(TypedDict):
    """What the lifespan opens for every request: `request.state.auth_gateway`, ..."""

    auth_gateway: AuthGateway
    failure_limiter: FailureLimiter


async def auth_unavailable(_: Request, exc: Exception) -> Response:
    """Auth cannot say whose the token is: 503, and when to try again."""
    assert isinstance(exc, AuthUnavailable)
    return problem_response(Problem, 503, exc.detail, {"Retry-After": str(exc.retry_after)})


def create_app(
    settings: Settings | None = None,
    *,
    auth_transport: httpx.AsyncBaseTransport | None = None,
    tune_gc: bool = False,
) -> FastAPI:
    """The info service; `Settings()` reads the environment when `settings` is not given.

    `auth_transport` replaces the network under the auth client (tests use it for stubs).
    `tune_gc` tunes the garbage collector at startup: for the app a server runs, not for tests.
    """
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.access_log)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[State]:
        async with auth_http_client(settings, auth_transport) as http:
            if tune_gc:
                tune_garbage_collector()
            yield {
                "auth_gateway": AuthGateway(generated_client(http), settings),
                "failure_limiter": FailureLimiter("info", settings.rate_limit),
            }

    app = create_service_app("info", Problem, lifespan, [router])
    app.add_exception_handler(AuthUnavailable, auth_unavailable)
    install_proxy_headers(app, settings.rate_limit)
    return app
