"""The info service over other transports, for `make bench` to compare (uvicorn --factory).

Served like `info_service:app`: collector tuned at startup, so only the transport differs."""

import httpx
import httpx_aiohttp
from fastapi import FastAPI

from auth_service import create_app as create_auth_app
from bench.aiohttp_transport import AiohttpTransport
from common.middleware import ServiceMiddleware
from info_service import create_app
from info_service.auth_http import pool_limits
from info_service.config import Settings


def httpx_transport() -> FastAPI:
    settings = Settings()
    return create_app(
        settings, auth_transport=httpx.AsyncHTTPTransport(limits=pool_limits(settings)), tune_gc=True
    )


def aiohttp_transport() -> FastAPI:
    """Our adapter over aiohttp (bench/aiohttp_transport.py): the default until issue 14."""
    settings = Settings()
    return create_app(settings, auth_transport=AiohttpTransport(pool_limits(settings)), tune_gc=True)


def httpx_aiohttp_transport() -> FastAPI:
    settings = Settings()
    return create_app(
        settings, auth_transport=httpx_aiohttp.AiohttpTransport(limits=pool_limits(settings)), tune_gc=True
    )


def _without_metrics_middleware(app: FastAPI) -> FastAPI:
    """The same app, `/metrics` still served, but no request is counted: the cost of the counting."""
    for middleware in app.user_middleware:
        if middleware.cls is ServiceMiddleware:  # type: ignore[comparison-overlap]  # a class is a middleware factory
            middleware.kwargs["metrics"] = False
    return app


def info_without_metrics() -> FastAPI:
    return _without_metrics_middleware(create_app(tune_gc=True))


def auth_without_metrics() -> FastAPI:
    return _without_metrics_middleware(create_auth_app(tune_gc=True))
