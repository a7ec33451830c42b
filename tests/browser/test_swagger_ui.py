"""Swagger UI at /docs, clicked through in headless Chromium against real services, offline."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import ARTIFACTS, Traffic
from tests.browser.journeys import DEMO_TOKEN, JOURNEYS, Journey
from tests.browser.swagger import authorize, execute, expand, open_docs, operation, screenshot_exchange

pytestmark = pytest.mark.processes

ASSETS = {
    "/docs",
    "/openapi.json",
    "/static-offline-docs/swagger-ui.css",
    "/static-offline-docs/swagger-ui-bundle.js",
}

journeys = pytest.mark.parametrize("journey", JOURNEYS, ids=lambda journey: journey.service)


@journeys
def test_the_page_renders_the_hand_written_spec(page, services, journey: Journey):
    spec = journey.spec
    open_docs(page, services[journey.service].url)

    title = page.locator(".information-container .title").inner_text().split("\n")
    assert [line.strip() for line in title] == [spec["info"]["title"], spec["info"]["version"], "OAS 3.1"]
    for path, methods in spec["paths"].items():
        for method, details in methods.items():
            expect(operation(page, method, path)).to_contain_text(details["summary"])
    schemas = page.locator("section.models")
    for name in spec["components"]["schemas"]:
        expect(schemas.get_by_text(name, exact=True)).to_be_visible()

    op = operation(page, journey.method, journey.path)
    expand(op)
    example = op.locator('tr.response[data-code="200"] .highlight-code pre')
    assert json.loads(example.inner_text()) == journey.example("200")


@journeys
def test_authorized_execute_shows_200_and_the_answer(page, services, traffic: Traffic, journey: Journey):
    service = services[journey.service]
    open_docs(page, service.url)
    authorize(page, DEMO_TOKEN)
    op = operation(page, journey.method, journey.path)
    expand(op)

    shown = execute(op)

    assert shown.status == "200"
    assert shown.body == journey.answer
    assert "content-type: application/json" in shown.headers
    # The spec's server is "/": the call goes to the host and port that served the page.
    assert shown.request_url == f"{service.url}{journey.path}"
    assert f"Authorization: {DEMO_TOKEN}" in shown.curl
    screenshot_exchange(page, op, ARTIFACTS / f"{journey.service}-docs-200.png")
    page.wait_for_load_state("networkidle")
    assert traffic.local_paths() >= ASSETS
    assert journey.path in traffic.local_paths()
    assert traffic.outside == []


@journeys
@pytest.mark.parametrize("token", [None, "not-the-demo-token"], ids=["no-token", "wrong-token"])
def test_execute_without_a_valid_token_shows_401_and_the_problem(
    page, services, journey: Journey, token: str | None
):
    open_docs(page, services[journey.service].url)
    if token is not None:
        authorize(page, token)
    op = operation(page, journey.method, journey.path)
    expand(op)

    shown = execute(op)

    assert shown.status == "401"
    assert shown.body == journey.example("401")
    assert "content-type: application/problem+json" in shown.headers
    assert "www-authenticate: bearer" in shown.headers
    if token is None:
        assert "Authorization" not in shown.curl
        screenshot_exchange(page, op, ARTIFACTS / f"{journey.service}-docs-401.png")
