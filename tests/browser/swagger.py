"""Swagger UI as a person uses it, in a few verbs: open, authorize, execute, read the response."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect


def open_docs(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/docs")
    expect(page.locator(".information-container .title")).to_be_visible()


def authorize(page: Page, token: str) -> None:
    """The "Authorize" button, the token in the dialog, "Authorize", "Close"."""
    page.locator(".scheme-container").get_by_role("button", name="Authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    dialog.get_by_role("textbox").fill(token)
    dialog.get_by_role("button", name="Apply credentials").click()
    expect(dialog).to_contain_text("Authorized")
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(dialog).to_be_hidden()


def operation(page: Page, method: str, path: str) -> Locator:
    return page.locator(f".opblock.opblock-{method.lower()}").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )


def expand(op: Locator) -> None:
    op.locator(".opblock-summary-control").click()
    expect(op.locator(".opblock-body")).to_be_visible()


@dataclass
class Exchange:
    """What Swagger UI shows after "Execute"."""

    status: str
    body: Any
    headers: str
    request_url: str
    curl: str


def execute(op: Locator) -> Exchange:
    """ "Execute" on an expanded operation, then what the page shows of the live response."""
    # The services turn Swagger UI's try-it-out mode on for every operation (tryItOutEnabled):
    # "Try it out" has already been pressed, and the button offers "Cancel".
    expect(op.locator(".try-out__btn")).to_have_text("Cancel")
    op.get_by_role("button", name="Execute").click()
    live = op.locator(".live-responses-table")
    expect(live).to_be_visible()
    return Exchange(
        status=live.locator("tr.response .response-col_status").inner_text().strip(),
        body=json.loads(live.locator(".highlight-code pre").inner_text()),
        headers=live.locator(".response-col_description pre").last.inner_text().lower(),
        request_url=op.locator(".request-url pre").inner_text().strip(),
        curl=op.locator(".curl-command pre").inner_text(),
    )


def screenshot_exchange(page: Page, op: Locator, path: Path) -> None:
    """The operation from its title down to the live response: what the README shows."""
    box = op.evaluate(
        """(op) => {
            const top = op.getBoundingClientRect();
            const live = op.querySelector('.live-responses-table').getBoundingClientRect();
            return {x: top.left + window.scrollX, y: top.top + window.scrollY,
                    width: top.width, height: live.bottom - top.top};
        }"""
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True, clip=box)
