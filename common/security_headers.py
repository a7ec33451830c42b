"""Response headers from the OWASP REST Security Cheat Sheet, and the CORS decision.

Every answer carries `X-Content-Type-Options: nosniff` (a browser never guesses a type other than
the one sent) and `Cache-Control: no-store` (no cache keeps an authenticated answer), unless the
route set its own `Cache-Control` (the offline docs' assets may be cached). A pure ASGI
middleware: it touches the response head only, never the body.

CORS: no cross-origin access by default; no CORS headers are sent, so a page from another origin
cannot read an answer. `CORS_ALLOW_ORIGINS='["https://app.example"]'` allows exactly those origins
(Starlette's CORSMiddleware; GET and POST, the Authorization and X-Request-ID headers).
"""

from typing import Annotated

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


class CorsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CORS_", extra="ignore")

    allow_origins: Annotated[list[str], Field(max_length=100)] = []


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append(NOSNIFF)
                if b"cache-control" not in names:
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI, cors: CorsSettings | None = None) -> None:
    cors = cors or CorsSettings()
    if cors.allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors.allow_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "RateLimit", "RateLimit-Policy"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
