"""Response headers from the OWASP REST Security Cheat Sheet, and the CORS decision.

Every answer carries `X-Content-Type-Options: nosniff` (a browser never guesses a type other than
the one sent) and `Cache-Control: no-store` (no cache keeps an authenticated answer), unless the
route set its own `Cache-Control` (the offline docs' assets may be cached). They are added to the
response head, never the body, by the services' one middleware (`common/middleware.py`).

CORS: no cross-origin access by default; no CORS headers are sent, so a page from another origin
cannot read an answer. `CORS_ALLOW_ORIGINS='["https://app.example"]'` allows exactly those origins
(Starlette's CORSMiddleware; GET and POST, the Authorization and X-Request-ID headers).
"""

from collections.abc import Iterable
from typing import Annotated

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.middleware.cors import CORSMiddleware

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


class CorsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CORS_", extra="ignore")

    allow_origins: Annotated[list[str], Field(max_length=100)] = []


def with_security_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A response's raw headers, and ours: `no-store` unless the route set its own `Cache-Control`."""
    headers = list(headers)
    for name, _ in headers:
        if name.lower() == b"cache-control":
            headers.append(NOSNIFF)
            return headers
    headers += (NOSNIFF, NO_STORE)
    return headers


def install_cors(app: FastAPI, cors: CorsSettings | None = None) -> None:
    """Starlette's CORSMiddleware, only when `CORS_ALLOW_ORIGINS` lists origins."""
    cors = cors or CorsSettings()
    if cors.allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors.allow_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "RateLimit", "RateLimit-Policy"],
        )
