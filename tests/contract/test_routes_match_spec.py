"""The routes each service really serves are the operations of its spec, both ways.

FastAPI derives a description from the routes themselves (operation ids, `responses=`, security
dependencies, response models); it is compared with the hand-written spec, operation by operation.
The docs routes are the only routes allowed outside the spec.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from common.offline_docs import STATIC_URL
from tests.apps import build
from tests.contract.openapi import deref, load_spec
from tests.contract.openapi import operations as operations_of

# Served by common/service.py for humans, hidden from the schema; never an API operation.
META_PATHS = {
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    STATIC_URL,
    f"{STATIC_URL}/redoc.standalone.js",
}


@dataclass(frozen=True)
class Operation:
    """What a client relies on in one operation."""

    operation_id: str | None
    security: list[list[str]]
    responses: dict[str, dict[str, Any]]  # status -> {"media types": ..., "schemas": ...}


def schema_shape(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The parts of a response schema both descriptions must agree on: name, fields, required."""
    name = schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None
    schema = deref(document, schema)
    return {
        "schema": name,
        "fields": sorted(schema.get("properties", {})),
        "required": sorted(schema.get("required", [])),
    }


def operations(document: dict[str, Any]) -> dict[str, Operation]:
    """`"GET /info/"` -> Operation, for every operation of an OpenAPI document."""
    found = {}
    for label, operation in operations_of(document):
        security = operation.get("security", document.get("security", []))
        responses = {}
        for status, response in operation.get("responses", {}).items():
            content = deref(document, response).get("content", {})
            shapes = [
                schema_shape(document, media["schema"]) for media in content.values() if "schema" in media
            ]
            responses[str(status)] = {"media types": sorted(content), "schemas": shapes}
        found[label] = Operation(
            operation_id=operation.get("operationId"),
            security=sorted(sorted(requirement) for requirement in security),
            responses=responses,
        )
    return found


def served_description(app: FastAPI) -> dict[str, Any]:
    return get_openapi(title=app.title, version=app.version, routes=app.routes)


def hidden_routes(app: FastAPI) -> list[str]:
    """Routes served but left out of the derived description (plain Starlette routes, mounts...)."""
    return sorted(
        context.path or repr(context.original_route)
        for context in iter_route_contexts(app.routes)
        if not (isinstance(context.original_route, APIRoute) and context.original_route.include_in_schema)
    )


def describe_drift(served: Operation, documented: Operation) -> list[str]:
    drift = []
    if served.operation_id != documented.operation_id:
        drift.append(f"operationId: served {served.operation_id!r}, documented {documented.operation_id!r}")
    if served.security != documented.security:
        drift.append(f"security: served {served.security}, documented {documented.security}")
    for status in sorted(set(served.responses) - set(documented.responses)):
        drift.append(f"status {status} can be served but is not documented")
    for status in sorted(set(documented.responses) - set(served.responses)):
        drift.append(f"status {status} is documented but not declared by the route")
    for status in sorted(set(served.responses) & set(documented.responses)):
        served_response, documented_response = served.responses[status], documented.responses[status]
        missing = set(documented_response["media types"]) - set(served_response["media types"])
        if missing:
            drift.append(f"status {status}: documented media types {sorted(missing)} not served")
        if served_response["schemas"] != documented_response["schemas"]:
            drift.append(
                f"status {status}: body served as {served_response['schemas']}, "
                f"documented as {documented_response['schemas']}"
            )
    return drift


def test_every_route_is_an_operation_of_the_spec_and_every_operation_is_served(service_name):
    served = operations(served_description(build(service_name)))
    documented = operations(load_spec(service_name))

    assert not sorted(set(served) - set(documented)), (
        f"{service_name}: routes served but not in specs/{service_name}.yaml: "
        f"{sorted(set(served) - set(documented))}"
    )
    assert not sorted(set(documented) - set(served)), (
        f"{service_name}: operations in specs/{service_name}.yaml that no route serves: "
        f"{sorted(set(documented) - set(served))}"
    )


def test_each_operation_is_served_as_documented(service_name):
    served = operations(served_description(build(service_name)))
    documented = operations(load_spec(service_name))

    drift = {
        name: problems
        for name in sorted(set(served) & set(documented))
        if (problems := describe_drift(served[name], documented[name]))
    }

    assert not drift, f"{service_name}: routes differ from specs/{service_name}.yaml: {drift}"


def test_the_security_schemes_are_served_as_documented(service_name):
    served = served_description(build(service_name)).get("components", {}).get("securitySchemes", {})
    documented = load_spec(service_name).get("components", {}).get("securitySchemes", {})

    assert set(served) == set(documented), (
        f"{service_name}: scheme names {sorted(served)} vs {sorted(documented)}"
    )
    for name, scheme in served.items():
        documented_scheme = {key: documented[name].get(key) for key in scheme}
        assert scheme == documented_scheme, (
            f"{service_name}: security scheme {name!r} served as {scheme}, documented as {documented[name]}"
        )


def test_no_route_hides_from_the_spec_but_the_docs(service_name):
    hidden = set(hidden_routes(build(service_name)))

    assert hidden <= META_PATHS, (
        f"{service_name}: routes served outside the spec: {sorted(hidden - META_PATHS)}"
    )
