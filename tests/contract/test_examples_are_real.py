"""Each example in the specs is what the service really sends for that case.

Every documented response example has a case here that makes the service send it; the body,
media type and documented header examples are compared with what comes back. An example with no
case, or a case with no example, fails the completeness test.
"""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.apps import info_with_auth
from tests.contract.conftest import load_spec
from tests.contract.openapi import deref, operations

VALID = {"Authorization": "merixstudio"}
Case = tuple[str, str, str, str | None]  # service, operation, status, example name


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def time_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=request)


def teapot(request: httpx.Request) -> httpx.Response:
    return httpx.Response(418)


def info_when_auth(handler, path: str = "/info/") -> httpx.Response:
    with info_with_auth(handler) as info:
        return info.get(path, headers=VALID)


def info_once_the_breaker_opened() -> httpx.Response:
    with info_with_auth(time_out, auth_breaker_failures=1) as info:
        info.get("/info/", headers=VALID)
        return info.get("/info/", headers=VALID)


def over_the_failure_budget(client: TestClient, method: str, path: str) -> httpx.Response:
    """The answer once this address has used its budget of failed attempts (10, the default)."""
    for _ in range(10):  # fewer when other cases already failed from this address
        if client.request(method, path, headers={"Authorization": "wrong"}).status_code == 429:
            break
    return client.request(method, path, headers=VALID)


TWO_TOKENS = [("Authorization", "merixstudio"), ("Authorization", "merixstudio")]

# How to make each documented example happen. `clients` holds the demo auth app and the info app
# calling it in-process (tests/conftest.py).
CASES: dict[Case, Callable[[dict[str, TestClient]], httpx.Response]] = {
    ("auth", "POST /login/", "200", None): lambda c: c["auth"].post("/login/", headers=VALID),
    ("auth", "POST /login/", "400", "several-tokens"): lambda c: c["auth"].post(
        "/login/", headers=TWO_TOKENS
    ),
    ("auth", "POST /login/", "400", "body"): lambda c: c["auth"].post(
        "/login/", headers=VALID, content=b"{}"
    ),
    ("auth", "POST /login/", "400", "forwarded-for"): lambda c: c["auth"].post(
        "/login/", headers={**VALID, "X-Forwarded-For": "somewhere"}
    ),
    ("auth", "POST /login/", "401", None): lambda c: c["auth"].post("/login/"),
    ("auth", "POST /login/", "429", None): lambda c: over_the_failure_budget(c["auth"], "POST", "/login/"),
    ("auth", "GET /healthz", "200", None): lambda c: c["auth"].get("/healthz"),
    ("auth", "GET /readyz", "200", None): lambda c: c["auth"].get("/readyz"),
    ("info", "GET /info/", "200", None): lambda c: c["info"].get("/info/", headers=VALID),
    ("info", "GET /info/", "400", "several-tokens"): lambda c: c["info"].get("/info/", headers=TWO_TOKENS),
    ("info", "GET /info/", "400", "body"): lambda c: c["info"].request(
        "GET", "/info/", headers=VALID, content=b"{}"
    ),
    ("info", "GET /info/", "401", None): lambda c: c["info"].get(
        "/info/", headers={"Authorization": "wrong"}
    ),
    ("info", "GET /info/", "429", None): lambda c: over_the_failure_budget(c["info"], "GET", "/info/"),
    ("info", "GET /info/", "503", "unreachable"): lambda _: info_when_auth(refuse),
    ("info", "GET /info/", "503", "timeout"): lambda _: info_when_auth(time_out),
    ("info", "GET /info/", "503", "bad-answer"): lambda _: info_when_auth(teapot),
    ("info", "GET /info/", "503", "circuit-open"): lambda _: info_once_the_breaker_opened(),
    ("info", "GET /healthz", "200", None): lambda c: c["info"].get("/healthz"),
    ("info", "GET /readyz", "200", None): lambda c: c["info"].get("/readyz"),
    ("info", "GET /readyz", "503", None): lambda _: info_when_auth(refuse, "/readyz"),
}


def documented_examples() -> Iterator[tuple[Case, str, Any, dict[str, Any]]]:
    """(case, media type, example body, documented headers) for every response example."""
    for service in ("auth", "info"):
        spec = load_spec(service)
        for label, operation in operations(spec):
            for status, response in operation["responses"].items():
                response = deref(spec, response)
                headers = {name: deref(spec, header) for name, header in response.get("headers", {}).items()}
                for media_type, media in response["content"].items():
                    if "example" in media:
                        yield (service, label, status, None), media_type, media["example"], headers
                    for name, example in media.get("examples", {}).items():
                        yield (
                            (service, label, status, name),
                            media_type,
                            deref(spec, example)["value"],
                            headers,
                        )


EXAMPLES = {case: (media_type, body, headers) for case, media_type, body, headers in documented_examples()}


@pytest.fixture
def clients(auth_client, info_client) -> dict[str, TestClient]:
    return {"auth": auth_client, "info": info_client}


def test_every_example_has_a_case_and_every_case_an_example():
    assert set(EXAMPLES) - set(CASES) == set(), "documented examples nothing here triggers"
    assert set(CASES) - set(EXAMPLES) == set(), "cases whose example is no longer documented"


@pytest.mark.parametrize("case", sorted(CASES, key=str), ids=lambda case: " ".join(filter(None, case)))
def test_the_example_is_what_the_service_sends(clients, case):
    assert case in EXAMPLES, f"{case}: the spec no longer documents this example"
    media_type, body, _ = EXAMPLES[case]

    response = CASES[case](clients)

    assert (response.status_code, response.headers["content-type"]) == (int(case[2]), media_type)
    assert response.json() == body, f"{case}: the service sends {response.json()}, the spec shows {body}"


def test_each_header_example_is_what_the_service_sends_in_some_case(clients):
    sent: dict[tuple[str, str], set[str]] = {}
    for case, call in CASES.items():
        response = call(clients)
        for name in EXAMPLES[case][2]:
            sent.setdefault((case[0], name), set()).add(response.headers.get(name, "(absent)"))

    documented = {
        (case[0], name, str(header["example"]))
        for case, (_, _, headers) in EXAMPLES.items()
        for name, header in headers.items()
        if "example" in header
    }
    never_sent = [
        (service, name, example)
        for service, name, example in documented
        if example not in sent.get((service, name), set())
    ]
    assert not never_sent, f"header examples no case sends: {never_sent}"
