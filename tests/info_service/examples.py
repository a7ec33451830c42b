"""How to make each response example of specs/info.yaml happen, for
tests/contract/test_examples_are_real.py: (operation, status, example name) -> a call to the
service in demo mode (calling the real auth app in-process), or to one whose auth misbehaves."""

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

from tests.apps import info_with_auth, over_the_failure_budget, scrape_after
from tests.fakes import refuse, time_out

VALID = {"Authorization": "merixstudio"}
TWO_TOKENS = [("Authorization", "merixstudio"), ("Authorization", "merixstudio")]


def teapot(request: httpx.Request) -> httpx.Response:
    return httpx.Response(418)


def info_when_auth(handler, path: str = "/info/") -> httpx.Response:
    with info_with_auth(handler) as info:
        return info.get(path, headers=VALID)


def info_once_the_breaker_opened() -> httpx.Response:
    with info_with_auth(time_out, auth_breaker_failures=1) as info:
        info.get("/info/", headers=VALID)
        return info.get("/info/", headers=VALID)


CASES: dict[tuple[str, str, str | None], Callable[[TestClient], httpx.Response]] = {
    ("GET /info/", "200", None): lambda info: info.get("/info/", headers=VALID),
    ("GET /info/", "400", "several-tokens"): lambda info: info.get("/info/", headers=TWO_TOKENS),
    ("GET /info/", "400", "body"): lambda info: info.request("GET", "/info/", headers=VALID, content=b"{}"),
    ("GET /info/", "401", None): lambda info: info.get("/info/", headers={"Authorization": "wrong"}),
    ("GET /info/", "429", None): lambda _: over_the_failure_budget("info", "GET", "/info/"),
    ("GET /info/", "503", "unreachable"): lambda _: info_when_auth(refuse),
    ("GET /info/", "503", "timeout"): lambda _: info_when_auth(time_out),
    ("GET /info/", "503", "bad-answer"): lambda _: info_when_auth(teapot),
    ("GET /info/", "503", "circuit-open"): lambda _: info_once_the_breaker_opened(),
    ("GET /healthz", "200", None): lambda info: info.get("/healthz"),
    ("GET /readyz", "200", None): lambda info: info.get("/readyz"),
    ("GET /readyz", "503", None): lambda _: info_when_auth(refuse, "/readyz"),
    ("GET /metrics", "200", None): lambda info: scrape_after(info, "GET", "/info/"),
}
