"""The app factory: settings -> auth gateway (one pool per process) -> routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from common.observability import configure_logging
from common.ratelimit import install_failure_limiter
from common.service import create_service_app, tune_garbage_collector
from info_service.auth import AuthGateway
from info_service.config import Settings
from info_service.models import Problem
from info_service.routes import router


def create_app(
    settings: Settings | None = None, auth_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """`auth_transport` replaces the network under the auth client (tests use it for stubs)."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.access_log)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.auth_gateway = AuthGateway(settings, auth_transport)
        try:
            yield
        finally:
            await app.state.auth_gateway.aclose()

    app = create_service_app("info", Problem, lifespan)
    install_failure_limiter(app, "info", settings.rate_limit)
    app.include_router(router)
    return app


app = create_app()
tune_garbage_collector()
