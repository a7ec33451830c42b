from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.apps import demo_auth_app, demo_info_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def auth_client() -> Iterator[TestClient]:
    """The auth service in demo mode: `merixstudio` is the one valid token."""
    with TestClient(demo_auth_app()) as client:
        yield client


@pytest.fixture
def info_client() -> Iterator[TestClient]:
    """The info service, calling the real auth app in-process instead of over the network."""
    with TestClient(demo_info_app()) as client:
        yield client
