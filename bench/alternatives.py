"""The info service over other transports, for `make bench` to compare (uvicorn --factory).

Served like `info_service:app`: collector tuned at startup, so only the transport differs."""

import httpx
import httpx_aiohttp
from fastapi import FastAPI

from info_service import create_app
from info_service.auth_http import pool_limits
from info_service.config import Settings


def httpx_transport() -> FastAPI:
    settings = Settings()
    return create_app(
        settings, auth_transport=httpx.AsyncHTTPTransport(limits=pool_limits(settings)), tune_gc=True
    )


def httpx_aiohttp_transport() -> FastAPI:
    settings = Settings()
    return create_app(
        settings, auth_transport=httpx_aiohttp.AiohttpTransport(limits=pool_limits(settings)), tune_gc=True
    )
