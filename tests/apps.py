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

from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings
from tests.asgi import ServedTransport
from tools.registry import service


def build(name: str) -> FastAPI:
    """Service `name` in demo mode, calling the services it uses in-process.

    Each used service runs behind a `ServedTransport`, which runs its lifespan as a server would.
    """
    registered = service(name)
    transports = {f"{each}_transport": ServedTransport(build(each)) for each in registered.uses}
    app: FastAPI = importlib.import_module(registered.package).create_app(**transports)
    return app


def demo_auth_app() -> FastAPI:
    """The auth service in demo mode: `merixstudio` is the one valid token."""
    return build("auth")


def demo_info_app() -> FastAPI:
    """The info service calling the real auth app in-process; its lifespan must run before use."""
    return build("info")


def info_with_auth(handler: Callable[[httpx.Request], Any], **settings: Any) -> TestClient:
    """The info service whose calls to auth are answered by `handler` (an httpx.MockTransport)."""
    return TestClient(create_info_app(InfoSettings(**settings), auth_transport=httpx.MockTransport(handler)))
