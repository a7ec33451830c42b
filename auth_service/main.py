"""The app factory: settings -> token book -> routes."""

import logging

from fastapi import FastAPI

from auth_service.config import Settings
from auth_service.models import Problem
from auth_service.routes import router
from auth_service.tokens import TokenBook
from common.observability import configure_logging
from common.ratelimit import install_failure_limiter
from common.service import create_service_app, tune_garbage_collector

log = logging.getLogger("auth_service")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.access_log)
    if settings.demo_mode:
        log.warning("demo mode: no AUTH_TOKEN_SHA256 or AUTH_TOKENS set, accepting the demo token")
    app = create_service_app("auth", Problem)
    app.state.token_book = TokenBook(settings.digests_by_subject())
    install_failure_limiter(app, "auth", settings.rate_limit)
    app.include_router(router)
    return app


app = create_app()
tune_garbage_collector()
