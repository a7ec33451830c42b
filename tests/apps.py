"""The services as the tests build them in-process, every one from the registry.

The convention every service follows (`make service` scaffolds it): its package exports
`create_app(settings=None, *, <used>_transport=None, ...)`. Without settings it reads them from the
environment, whose defaults run the demo; for each service it uses, `<used>_transport` replaces
the network under that service's generated client. `build(name)` builds a service that way, with
every service it uses built the same way and reached in-process: nothing to add for a new service.
"""

import importlib
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from common.ratelimit import RateLimitSettings
from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings
from tools.asgi import ServedTransport
from tools.registry import service


def build(name: str, **settings: Any) -> FastAPI:
    """Service `name` in demo mode, calling the services it uses in-process.

    Each used service runs behind a `ServedTransport`, which runs its lifespan as a server would.
    `settings` override the environment's, for this service and those it uses (a field a
    service's `config.Settings` does not have is ignored).
    """
    registered = service(name)
    transports = {f"{each}_transport": ServedTransport(build(each, **settings)) for each in registered.uses}
    config = importlib.import_module(f"{registered.package}.config")
    app: FastAPI = importlib.import_module(registered.package).create_app(
        config.Settings(**settings) if settings else None, **transports
    )
    return app


def _limited(rate_limit: RateLimitSettings | None) -> dict[str, Any]:
    return {"rate_limit": rate_limit} if rate_limit is not None else {}


def demo_auth_app(rate_limit: RateLimitSettings | None = None) -> FastAPI:
    """The auth service in demo mode: `merixstudio` is the one valid token."""
    return build("auth", **_limited(rate_limit))


def demo_info_app(rate_limit: RateLimitSettings | None = None) -> FastAPI:
    """The info service calling the real auth app in-process; its lifespan must run before use."""
    return build("info", **_limited(rate_limit))


def info_with_auth(handler: Callable[[httpx.Request], Any], **settings: Any) -> TestClient:
    """The info service whose calls to auth are answered by `handler` (an httpx.MockTransport)."""
    return TestClient(create_info_app(InfoSettings(**settings), auth_transport=httpx.MockTransport(handler)))


def scrape_after(client: TestClient, method: str, path: str) -> httpx.Response:
    """`/metrics`, once the operation its example counts has been served with the demo token."""
    assert client.request(method, path, headers={"Authorization": "merixstudio"}).status_code == 200
    return client.get("/metrics")


def over_the_failure_budget(name: str, method: str, path: str) -> httpx.Response:
    """Service `name`'s answer to a valid token once this address used its budget of failed
    attempts (the default, 10), on a fresh app: the other cases' failures do not count."""
    with TestClient(build(name)) as client:
        for _ in range(10):
            if client.request(method, path, headers={"Authorization": "wrong"}).status_code == 429:
                break
        return client.request(method, path, headers={"Authorization": "merixstudio"})
