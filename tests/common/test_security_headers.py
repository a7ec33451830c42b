"""OWASP REST response headers on every answer, and the CORS decision (common/security_headers.py)."""

import pytest
from fastapi.testclient import TestClient

from common.offline_docs import STATIC_URL
from tests.apps import demo_auth_app, demo_info_app

VALID = {"Authorization": "merixstudio"}


@pytest.mark.parametrize(
    ("service", "method", "path", "headers", "status"),
    [
        ("auth", "POST", "/login/", VALID, 200),
        ("auth", "POST", "/login/", {}, 401),
        ("auth", "GET", "/healthz", {}, 200),
        ("auth", "GET", "/nowhere", {}, 404),
        ("info", "GET", "/info/", VALID, 200),
        ("info", "GET", "/info/", {"Authorization": "wrong"}, 401),
        ("info", "DELETE", "/info/", {}, 405),
    ],
)
def test_every_answer_is_nosniff_and_no_store(service, method, path, headers, status):
    app = {"auth": demo_auth_app, "info": demo_info_app}[service]()
    with TestClient(app) as client:
        response = client.request(method, path, headers=headers)

    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_a_route_that_sets_its_own_cache_control_keeps_it():
    with TestClient(demo_auth_app()) as client:
        response = client.get(f"{STATIC_URL}/redoc.standalone.js")

    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_no_cross_origin_access_by_default():
    with TestClient(demo_info_app()) as client:
        simple = client.get("/info/", headers={**VALID, "Origin": "https://evil.example"})
        preflight = client.options(
            "/info/",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )

    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers


def test_configured_origins_and_only_those_get_cross_origin_access(monkeypatch):
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", '["https://app.example"]')
    with TestClient(demo_info_app()) as client:
        allowed = client.get("/info/", headers={**VALID, "Origin": "https://app.example"})
        other = client.get("/info/", headers={**VALID, "Origin": "https://app.example.evil"})
        preflight = client.options(
            "/info/",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization",
            },
        )

    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
