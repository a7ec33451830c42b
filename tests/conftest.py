from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from auth_service import create_app as create_auth_app
from auth_service.config import Settings as AuthSettings
from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def auth_app():
    """The auth service in demo mode: `merixstudio` is the one valid token."""
    return create_auth_app(AuthSettings(_env_file=None))


@pytest.fixture
def auth_client(auth_app) -> Iterator[TestClient]:
    with TestClient(auth_app) as client:
        yield client


@pytest.fixture
def info_client(auth_app) -> Iterator[TestClient]:
    """The info service, calling the real auth app in-process instead of over the network."""
    app = create_info_app(InfoSettings(), auth_transport=httpx.ASGITransport(auth_app))
    with TestClient(app) as client:
        yield client
