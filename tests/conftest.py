import os
import subprocess
from collections.abc import Generator, Iterator
from typing import Any

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


def _refuse_to_start_a_process(*args: Any, **kwargs: Any) -> None:
    raise AssertionError(
        "this test starts a process: mark it `processes` (pytestmark = pytest.mark.processes), "
        "which `make test-fast` leaves out"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    """Keeps `make test-fast` in-process: a test not marked `processes` (its fixtures included)
    cannot start a process; it fails, naming the marker."""
    if item.get_closest_marker("processes"):
        return (yield)
    original = subprocess.Popen._execute_child  # type: ignore[attr-defined]
    subprocess.Popen._execute_child = _refuse_to_start_a_process  # type: ignore[attr-defined]
    try:
        return (yield)
    finally:
        subprocess.Popen._execute_child = original  # type: ignore[attr-defined]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `make mutate`: the tests named after the mutated module run first (`common.ratelimit`:
    `test_ratelimit.py`), so that a mutant dies in seconds instead of after every test that reaches
    it. Order only: mutmut stops at the first failure, and a survivor still runs them all."""
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" in mutant:
        module = mutant.split(".x", 1)[0].rsplit(".", 1)[-1]
        items.sort(key=lambda item: module not in item.path.stem)
