"""`common/service.py`'s app factory: what every service gets from it, seen from outside."""

import pytest
from fastapi.testclient import TestClient

from tests.apps import build
from tools.registry import services

NAMES = [each.name for each in services()]


@pytest.mark.parametrize("name", NAMES)
def test_swagger_ui_opens_with_try_it_out_enabled(name: str) -> None:
    with TestClient(build(name)) as client:
        page = client.get("/docs")

    assert page.status_code == 200
    assert '"tryItOutEnabled": true' in page.text


@pytest.mark.parametrize("name", NAMES)
def test_a_path_without_its_trailing_slash_is_a_404_problem_not_a_redirect(name: str) -> None:
    with TestClient(build(name), follow_redirects=False) as client:
        path = "/info" if name == "info" else "/login" if name == "auth" else "/healthz/"
        answer = client.request("GET" if name != "auth" else "POST", path)

    assert answer.status_code == 404
    assert "location" not in answer.headers
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("name", NAMES)
def test_each_app_serves_a_spec_of_its_own(name: str) -> None:
    """The spec file is parsed once per process; every app gets a copy, so that one app (or a test)
    changing what it serves cannot change what another serves."""
    first, second = build(name), build(name)
    first.openapi()["info"]["title"] = "changed"

    assert second.openapi()["info"]["title"] != "changed"
    assert build(name).openapi()["info"]["title"] != "changed"
