"""How to make each response example of specs/auth.yaml happen, for
tests/contract/test_examples_are_real.py: (operation, status, example name) -> a call to the
service in demo mode."""

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

from tests.apps import over_the_failure_budget, scrape_after

VALID = {"Authorization": "merixstudio"}
TWO_TOKENS = [("Authorization", "merixstudio"), ("Authorization", "merixstudio")]

CASES: dict[tuple[str, str, str | None], Callable[[TestClient], httpx.Response]] = {
    ("POST /login/", "200", None): lambda auth: auth.post("/login/", headers=VALID),
    ("POST /login/", "400", "several-tokens"): lambda auth: auth.post("/login/", headers=TWO_TOKENS),
    ("POST /login/", "400", "body"): lambda auth: auth.post("/login/", headers=VALID, content=b"{}"),
    ("POST /login/", "400", "forwarded-for"): lambda auth: auth.post(
        "/login/", headers={**VALID, "X-Forwarded-For": "somewhere"}
    ),
    ("POST /login/", "401", None): lambda auth: auth.post("/login/"),
    ("POST /login/", "429", None): lambda _: over_the_failure_budget("auth", "POST", "/login/"),
    ("GET /healthz", "200", None): lambda auth: auth.get("/healthz"),
    ("GET /readyz", "200", None): lambda auth: auth.get("/readyz"),
    ("GET /metrics", "200", None): lambda auth: scrape_after(auth, "POST", "/login/"),
}
