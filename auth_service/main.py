"""The app factory: settings -> token book and failure limiter -> routes."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from fastapi import FastAPI

from auth_service.config import Settings
from auth_service.models import Problem
from auth_service.routes import router
from auth_service.tokens import TokenBook
from common.observability import configure_logging
from common.ratelimit import FailureLimiter, install_proxy_headers
from common.service import create_service_app, tune_garbage_collector

log = logging.getLogger("auth_service")


class State(TypedDict):
    """What every request finds in `request.state`."""

    token_book: TokenBook
    failure_limiter: FailureLimiter


def create_app(settings: Settings | None = None, *, tune_gc: bool = False) -> FastAPI:
    """The auth service; `Settings()` reads the environment when `settings` is not given.

    `tune_gc` tunes the garbage collector at startup: for the app a server runs, not for tests.
    """
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.access_log)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[State]:
        if settings.demo_mode:
            log.warning("demo mode: no AUTH_TOKEN_SHA256 or AUTH_TOKENS set, accepting the demo token")
        state: State = {
            "token_book": TokenBook(settings.digests_by_subject()),
            "failure_limiter": FailureLimiter("auth", settings.rate_limit),
        }
        if tune_gc:
            tune_garbage_collector()
        yield state

    app = create_service_app("auth", Problem, lifespan, [router])
    install_proxy_headers(app, settings.rate_limit)
    return app
