"""The services as the tests build them in-process, every one from the registry.

The convention every service follows (`make service` scaffolds it): its package exports
`create_app(settings=None, *, <used>_transport=None, ...)`. Without settings it reads them from the
environment, whose defaults run the demo; for each service it uses, `<used>_transport` replaces
the network under that service's generated client. `build(name)` builds a service that way, with
every service it uses built the same way and reached in-process: nothing to add for a new service.
"""

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings
from tools.registry import service


def build(name: str) -> FastAPI:
    """Service `name` in demo mode, calling the services it uses in-process.

    The used services' lifespans run inside this app's lifespan (a TestClient or schemathesis runs
    it), and what each one's lifespan yields is its requests' state, as under a server.
    """
    registered = service(name)
    used = {each: build(each) for each in registered.uses}
    states: dict[str, dict[str, Any]] = {each: {} for each in used}
    transports = {
        f"{each}_transport": httpx.ASGITransport(with_state(app, states[each])) for each, app in used.items()
    }
    app: FastAPI = importlib.import_module(registered.package).create_app(**transports)
    if used:
        own = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(outer: Any) -> AsyncIterator[Any]:
            async with AsyncExitStack() as stack:
                for each, inner in used.items():
                    states[each].update(
                        await stack.enter_async_context(inner.router.lifespan_context(inner)) or {}
                    )
                async with own(outer) as state:
                    yield state

        app.router.lifespan_context = lifespan
    return app


def with_state(app: FastAPI, state: dict[str, Any]) -> Callable[[Scope, Receive, Send], Any]:
    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "state": dict(state)}, receive, send)

    return asgi


def demo_auth_app() -> FastAPI:
    """The auth service in demo mode: `merixstudio` is the one valid token."""
    return build("auth")


def demo_info_app() -> FastAPI:
    """The info service calling the real auth app in-process; its lifespan must run before use."""
    return build("info")


def info_with_auth(handler: Callable[[httpx.Request], Any], **settings: Any) -> TestClient:
    """The info service whose calls to auth are answered by `handler` (an httpx.MockTransport)."""
    return TestClient(create_info_app(InfoSettings(**settings), auth_transport=httpx.MockTransport(handler)))
