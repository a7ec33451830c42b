"""Each service serves its own hand-written spec, and docs that need no network."""

import re
from collections.abc import Iterator

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.apps import build
from tools.registry import service as registered
from tools.registry import services


@pytest.fixture(params=[each.name for each in services()])
def service(request) -> Iterator[tuple[str, TestClient]]:
    with TestClient(build(request.param)) as client:
        yield request.param, client


def test_openapi_json_is_the_spec_file(service):
    name, client = service
    spec = yaml.safe_load(registered(name).spec.read_text())

    assert client.get("/openapi.json").json() == spec


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_every_asset_from_the_service(service, page):
    _, client = service
    html = client.get(page).text

    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), "an outside URL"
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets, "the page should load its scripts and styles"
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000, asset
    assert "/openapi.json" in html
