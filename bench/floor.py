"""The stack floor: both services with their server plumbing removed, for `make bench` (uvicorn --factory).

Not a product. It answers what removing that plumbing entirely could ever save, i.e. the least the
stack could cost while keeping what issue 14's rules keep. Removed: the one middleware (request
ids, metrics, security headers, access lines), the proxy-headers middleware, and FastAPI's
dependency injection (each route calls its checks itself; the API route is matched first).
Kept: the same checks in the same order (token, rate limit, body), response models, the generated
client, httpx, our transport, the gateway's breaker and retry. If the floor is over a target, no
cheaper version of the removed plumbing reaches it (docs/performance.md).
"""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.routing import APIRoute

from auth_service import create_app as create_auth_app
from auth_service.deps import get_login_subject
from auth_service.models import LoginResult
from info_service import create_app as create_info_app
from info_service.deps import get_current_subject
from info_service.models import Info


def _floor(app: FastAPI, method: str, path: str, endpoint: Callable[[Request], Awaitable[Any]]) -> FastAPI:
    app.user_middleware = []
    routes = app.router.routes
    routes[:] = [route for route in routes if not (isinstance(route, APIRoute) and route.path == path)]
    app.router.add_api_route(path, endpoint, methods=[method])
    routes.insert(0, routes.pop())
    return app


def auth(*, tune_gc: bool = True) -> FastAPI:
    async def login(request: Request) -> LoginResult:
        return LoginResult(subject=await get_login_subject(request))

    return _floor(create_auth_app(tune_gc=tune_gc), "POST", "/login/", login)


def info(*, tune_gc: bool = True, auth_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """`auth_transport` as in `info_service.create_app` (tests)."""

    async def get_info(request: Request) -> Info:
        await get_current_subject(request)
        return Info(info="The answer is 42.")

    app = create_info_app(tune_gc=tune_gc, auth_transport=auth_transport)
    return _floor(app, "GET", "/info/", get_info)
