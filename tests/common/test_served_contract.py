"""Each service serves its own hand-written spec, and docs that need no network."""

import re

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.servers import ROOT


@pytest.fixture(params=["auth", "info"])
def service(request, auth_client, info_client) -> tuple[str, TestClient]:
    return request.param, {"auth": auth_client, "info": info_client}[request.param]


def test_openapi_json_is_the_spec_file(service):
    name, client = service
    spec = yaml.safe_load((ROOT / "specs" / f"{name}.yaml").read_text())

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
