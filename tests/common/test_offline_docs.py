"""The docs assets the services serve fetch nothing from the internet themselves."""

import re

from common.offline_docs import REDOC_BUNDLE, REDOC_LOGO_URL


def test_redoc_is_served_without_its_logo_from_a_cdn_and_otherwise_unchanged(auth_client):
    shipped = REDOC_BUNDLE.read_bytes()
    assert REDOC_LOGO_URL in shipped, "fastapi-offline's ReDoc no longer loads the logo: drop the fix"

    response = auth_client.get("/static-offline-docs/redoc.standalone.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert b"cdn.redoc.ly" not in response.content
    assert len(response.content) == len(shipped) - len(REDOC_LOGO_URL)


def test_the_swagger_ui_stylesheet_loads_no_font_or_image_from_outside(info_client):
    css = info_client.get("/static-offline-docs/swagger-ui.css").text

    assert "@import" not in css
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)
    assert urls, "the stylesheet has images"
    assert [url for url in urls if not url.startswith("data:")] == []


def test_the_offline_bundle_answers_get_and_head_only(auth_client):
    url = "/static-offline-docs/redoc.standalone.js"
    assert auth_client.head(url).status_code == 200
    for method in ("POST", "PUT", "DELETE"):
        refused = auth_client.request(method, url)
        assert refused.status_code == 405, method
        assert refused.headers["content-type"] == "application/problem+json"
