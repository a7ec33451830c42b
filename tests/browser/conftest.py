"""One headless Chromium and one pair of real services for the whole browser package.

Each test gets a fresh browser context (no cookies, no Swagger authorization) whose requests are
recorded; any request to a host other than 127.0.0.1 is aborted before it leaves and recorded, and
the test fails at teardown if there was one, or if the page raised a JavaScript error.
"""

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from tests.browser.chromium import ARTIFACTS, LAUNCH_ARGS, Traffic, chromium_or_skip, is_local
from tools.launch import Service, both_services

TIMEOUT_MS = 20_000  # generous: the machine is shared and noisy

expect.set_options(timeout=TIMEOUT_MS)


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = chromium_or_skip()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # this run's screenshots only
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def services() -> Iterator[dict[str, Service]]:
    """Both services in demo mode, as `make run` starts them: `merixstudio` is the token."""
    with both_services() as (auth, info):
        yield {"auth": auth, "info": info}


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def context(browser: Browser, traffic: Traffic) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)

    def guard(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            traffic.outside.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    context.on("request", lambda request: traffic.requests.append(request.url))
    yield context
    context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, context: BrowserContext, traffic: Traffic) -> Iterator[Page]:
    page = context.new_page()
    page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    page.on("websocket", lambda socket: None if is_local(socket.url) else traffic.outside.append(socket.url))
    yield page
    page.wait_for_load_state("networkidle")  # late requests too, e.g. images rendered after load
    if request.node.stash.get(CALL_FAILED, False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"failed-{request.node.name}.png", full_page=True)
    assert traffic.outside == [], "the page made requests outside 127.0.0.1"
    assert traffic.page_errors == [], "the page raised JavaScript errors"
