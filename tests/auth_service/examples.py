"""How to make each response example of specs/auth.yaml happen, for
tests/contract/test_examples_are_real.py: (operation, status, example name) -> a call to the
service in demo mode."""

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient

VALID = {"Authorization": "merixstudio"}
TWO_TOKENS = [("Authorization", "merixstudio"), ("Authorization", "merixstudio")]

CASES: dict[tuple[str, str, str | None], Callable[[TestClient], httpx.Response]] = {
    ("POST /login/", "200", None): lambda auth: auth.post("/login/", headers=VALID),
    ("POST /login/", "400", "several-tokens"): lambda auth: auth.post("/login/", headers=TWO_TOKENS),
    ("POST /login/", "400", "body"): lambda auth: auth.post("/login/", headers=VALID, content=b"{}"),
    ("POST /login/", "401", None): lambda auth: auth.post("/login/"),
    ("GET /healthz", "200", None): lambda auth: auth.get("/healthz"),
    ("GET /readyz", "200", None): lambda auth: auth.get("/readyz"),
}
