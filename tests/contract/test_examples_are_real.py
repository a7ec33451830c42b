"""Each example in the specs is what the service really sends for that case.

Every documented response example has a case here that makes the service send it; the body,
media type and documented header examples are compared with what comes back. An example with no
case, or a case with no example, fails the completeness test.
"""

import importlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.apps import build
from tests.contract.openapi import SERVICES, deref, load_spec, operations
from tools.registry import service

Case = tuple[str, str, str, str | None]  # service, operation, status, example name


def cases_of(name: str) -> dict[Case, Callable[[dict[str, TestClient]], httpx.Response]]:
    """The cases of `tests/<package>/examples.py` (`CASES`), each called with its service's client."""
    module_name = f"tests.{service(name).package}.examples"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in {module_name, module_name.rpartition(".")[0]}:
            raise
        return {}

    def on_own_client(call: Callable[[TestClient], Any]) -> Callable[[dict[str, TestClient]], Any]:
        return lambda clients: call(clients[name])

    return {(name, *key): on_own_client(call) for key, call in module.CASES.items()}


# How to make each documented example happen: every service's `tests/<package>/examples.py`.
CASES = {case: call for name in SERVICES for case, call in cases_of(name).items()}


def documented_examples() -> Iterator[tuple[Case, str, Any, dict[str, Any]]]:
    """(case, media type, example body, documented headers) for every response example."""
    for name in SERVICES:
        spec = load_spec(name)
        for label, operation in operations(spec):
            for status, response in operation["responses"].items():
                response = deref(spec, response)
                headers = {
                    header_name: deref(spec, header)
                    for header_name, header in response.get("headers", {}).items()
                }
                for media_type, media in response["content"].items():
                    if "example" in media:
                        yield (name, label, status, None), media_type, media["example"], headers
                    for example_name, example in media.get("examples", {}).items():
                        yield (
                            (name, label, status, example_name),
                            media_type,
                            deref(spec, example)["value"],
                            headers,
                        )


EXAMPLES = {case: (media_type, body, headers) for case, media_type, body, headers in documented_examples()}


@pytest.fixture
def clients() -> Iterator[dict[str, TestClient]]:
    """Every service in demo mode, in-process, its lifespan running."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(TestClient(build(name))) for name in SERVICES}


def test_every_example_has_a_case_and_every_case_an_example():
    assert set(EXAMPLES) - set(CASES) == set(), (
        "documented examples nothing triggers: add them to the service's tests/<package>/examples.py"
    )
    assert set(CASES) - set(EXAMPLES) == set(), "cases whose example is no longer documented"


@pytest.mark.parametrize("case", sorted(CASES, key=str), ids=lambda case: " ".join(filter(None, case)))
def test_the_example_is_what_the_service_sends(clients, case):
    assert case in EXAMPLES, f"{case}: the spec no longer documents this example"
    media_type, body, _ = EXAMPLES[case]

    response = CASES[case](clients)

    assert (response.status_code, response.headers["content-type"]) == (int(case[2]), media_type)
    if media_type.startswith("text/plain"):  # Prometheus text: the example's series, values aside
        assert series(body) <= series(response.text), f"{case}: {body!r} not in {response.text!r}"
    else:
        assert response.json() == body, f"{case}: the service sends {response.json()}, the spec shows {body}"


def series(text: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    """(name, labels) of every sample in a Prometheus text exposition, parsed by the client library."""
    return {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


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
        (owner, name, example)
        for owner, name, example in documented
        if example not in sent.get((owner, name), set())
    ]
    assert not never_sent, f"header examples no case sends: {never_sent}"
