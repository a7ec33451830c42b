"""Components that several specs define under the same name are the same component.

Each spec stays self-contained and hand-written (every tool reads it as is, with no build step),
so the shared parts (the `token` scheme, `RequestId`, `Problem`, `Unauthorized`, ...) are copies;
this test names every copy that differs from another, across every registered spec and the
starter spec `make service` writes.
"""

from itertools import combinations
from typing import Any

import pytest
import yaml

from tests.contract.openapi import SERVICES, load_spec
from tools.scaffold import TEMPLATES, render

STARTER = "make service's starter spec"


def starter_spec(uses: bool) -> dict[str, Any]:
    values = {"name": "example", "Title": "Example", "Camel": "Example", "port": "8002"}
    values |= {"used": "auth", "Used": "Auth"} if uses else {}
    text = render(
        (TEMPLATES / "spec.yaml.tmpl").read_text(encoding="utf-8"), values, {"uses"} if uses else set()
    )
    return yaml.safe_load(text)


def specs() -> dict[str, dict[str, Any]]:
    found = {f"specs/{name}.yaml": load_spec(name) for name in SERVICES}
    found[f"{STARTER} (USES)"] = starter_spec(uses=True)
    found[STARTER] = starter_spec(uses=False)
    return found


def components(spec: dict[str, Any]) -> dict[str, Any]:
    """`"parameters/RequestId"` -> its definition, for every component."""
    return {
        f"{section}/{name}": definition
        for section, entries in spec.get("components", {}).items()
        for name, definition in entries.items()
    }


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(
        name for name in set(components(a)) & set(components(b)) if components(a)[name] != components(b)[name]
    )


def test_the_house_components_are_in_every_spec():
    house = {
        "securitySchemes/token",
        "parameters/RequestId",
        "headers/RequestId",
        "headers/WwwAuthenticate",
        "responses/Healthy",
        # Not `responses/BadRequest`: a service whose 400 has more causes (auth's login refuses a
        # malformed X-Forwarded-For too) documents its own response, under its own name.
        "responses/Unauthorized",
        "schemas/Health",
        "schemas/Problem",
    }
    missing = {where: sorted(house - set(components(spec))) for where, spec in specs().items()}

    assert not any(missing.values()), f"house components missing: {missing}"


@pytest.mark.parametrize(
    ("first", "second"), [pytest.param(*pair, id=" vs ".join(pair)) for pair in combinations(specs(), 2)]
)
def test_a_component_shared_by_two_specs_is_the_same_in_both(first, second):
    every = specs()

    differing = differences(every[first], every[second])

    assert not differing, f"{first} and {second} define these components differently: {differing}"
