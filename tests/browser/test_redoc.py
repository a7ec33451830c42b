"""ReDoc at /redoc renders each hand-written spec in headless Chromium, offline."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import Traffic
from tests.browser.journeys import JOURNEYS, Journey

pytestmark = pytest.mark.processes

ASSETS = {"/redoc", "/openapi.json", "/static-offline-docs/redoc.standalone.js"}


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda journey: journey.service)
def test_redoc_renders_the_spec_with_no_outside_request(page, services, traffic: Traffic, journey: Journey):
    spec = journey.spec
    page.goto(f"{services[journey.service].url}/redoc")

    content = page.locator(".api-content")
    expect(content.get_by_role("heading", level=1)).to_have_text(
        f"{spec['info']['title']} ({spec['info']['version']})"
    )
    for methods in spec["paths"].values():
        for details in methods.values():
            expect(content.locator("h2", has_text=details["summary"])).to_be_visible()

    section = content.locator(f'[id$="/operation/{journey.operation["operationId"]}"]')
    section.get_by_role("button", name="200").first.click()
    (schema,) = journey.answer  # the answer's one property, named in the response schema
    expect(section.get_by_text(schema, exact=True).first).to_be_visible()
    sample = section.locator(".redoc-json").first
    assert json.loads(sample.inner_text()) == journey.example("200")

    page.wait_for_load_state("networkidle")
    assert traffic.local_paths() >= ASSETS
    assert traffic.outside == []
