"""The services as the tests build them in-process."""

from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from auth_service import create_app as create_auth_app
from auth_service.config import Settings as AuthSettings
from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings
from tests.asgi import ServedTransport


def demo_auth_app() -> FastAPI:
    """The auth service in demo mode: `merixstudio` is the one valid token."""
    return create_auth_app(AuthSettings(_env_file=None))


def demo_info_app() -> FastAPI:
    """The info service calling the real auth app in-process; its lifespan must run before use."""
    return create_info_app(InfoSettings(), auth_transport=ServedTransport(demo_auth_app()))


def info_with_auth(handler: Callable[[httpx.Request], Any], **settings: Any) -> TestClient:
    """The info service whose calls to auth are answered by `handler` (an httpx.MockTransport)."""
    return TestClient(create_info_app(InfoSettings(**settings), auth_transport=httpx.MockTransport(handler)))
