"""Every finding of every corpus pair (tests/tools/test_compat_corpus.py), both ways: the rule, its
verdict, where and what, and the note when the verdict differs from the rule's.

The corpus pins each pair's verdict; this pins what `make compat` tells its users about it. The
findings are written by `python -m tests.tools.test_compat_checker` into corpus/findings.yaml and
read in review: a diff there is a change to the changelog. (Named after the module, so that under
`make mutate` a mutant of tools/compat/checker.py meets these tests first.)
"""

import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.tools.test_compat_corpus import CORPUS, PAIRS, Pair, _pair
from tools.compat import Operation, Report, compare
from tools.compat.spec import Spec, SpecError, parse

FINDINGS = CORPUS / "findings.yaml"


def findings(report: Report) -> list[str]:
    """One line a change: verdict, rule, location, message, the note if any, and the operations
    of OLD it reaches (by which `who` names the consumers), with their operationId."""
    return [
        f"{'BREAKING' if change.breaking else 'ok'} {change.rule.id} at {change.location}: {change.message}"
        + (f" (why: {change.note})" if change.note else "")
        + (f" [{'; '.join(_operation(op) for op in change.operations)}]" if change.operations else "")
        for change in report.changes
    ]


def _operation(operation: Operation) -> str:
    return f"{operation} {operation.operation_id}" if operation.operation_id else str(operation)


@cache
def _findings() -> dict[str, dict[str, list[str]]]:
    return yaml.load(FINDINGS.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("case", PAIRS, ids=[case.id for case in PAIRS])
def test_each_finding_has_its_rule_verdict_location_and_message(case: Pair) -> None:
    old, new = _pair(case)
    expected = _findings()[case.id]
    assert findings(compare(old, new)) == expected["old -> new"]
    assert findings(compare(new, old)) == expected["new -> old"]


def test_every_pair_has_its_findings_written_down() -> None:
    assert list(_findings()) == [case.id for case in PAIRS]


# --- Small contracts for what the real specs do not have -------------------------------------
def api(
    op: dict[str, Any] | None = None, schemas: dict[str, Any] | None = None, **top: Any
) -> dict[str, Any]:
    """A contract with one operation, GET /items/{id}; `top` adds or replaces top-level keys."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {"/items/{id}": {"get": op or {"responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": schemas or {}},
    }
    return document | top


def returns(schema: Any, **response: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    return {"responses": {"200": {"description": "ok", "content": content, **response}}}


def sends(schema: Any) -> dict[str, Any]:
    """An operation whose request body is of `schema`."""
    return {"requestBody": {"content": {"a/json": {"schema": schema}}}, "responses": OK}


def takes(schema: Any, **parameter: Any) -> dict[str, Any]:
    return {
        "parameters": [{"name": "q", "in": "query", "schema": schema, **parameter}],
        "responses": {"200": {"description": "ok"}},
    }


SCHEMES = {
    "a": {"type": "http", "scheme": "bearer"},
    "b": {"type": "apiKey", "in": "header", "name": "K"},
    "o": {"type": "oauth2", "flows": {}},
}


def secured(alternatives: list[dict[str, list[str]]], **schemes: Any) -> dict[str, Any]:
    op = {"security": alternatives, "responses": {"200": {"description": "ok"}}}
    return api(op, components={"securitySchemes": SCHEMES | schemes})


def with_paths(paths: dict[str, Any]) -> dict[str, Any]:
    return api() | {"paths": paths}


def two_path_parameters(x: dict[str, Any]) -> dict[str, Any]:
    """GET /a/{x}/{y}, `x` of schema `x`, `y` a string."""
    parameters = [{"name": "x", "in": "path", "schema": x}, {"name": "y", "in": "path", "schema": STRING}]
    return with_paths({"/a/{x}/{y}": {"get": {"parameters": parameters, "responses": OK}}})


OK = {"200": {"description": "ok"}}
S = {"$ref": "#/components/schemas/S"}
STRING, INTEGER = {"type": "string"}, {"type": "integer"}
ITEM = "GET /items/{id}"
BODY = f"{ITEM} response 200 application/json"
Q = f"{ITEM} query parameter q"
SMALL: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "ref-siblings-apply-on-top": (
        api(returns({**S, "maxLength": 5}), {"S": STRING}),
        api(returns({**S, "maxLength": 9}), {"S": STRING}),
    ),
    "ref-chain": (
        api(returns({"$ref": "#/components/schemas/A"}), {"A": S, "S": STRING}),
        api(returns({"$ref": "#/components/schemas/A"}), {"A": S, "S": INTEGER}),
    ),
    "const-changed": (api(returns({"const": "a"})), api(returns({"const": "b"}))),
    "null-in-enum-dropped": (api(returns({"enum": ["a", None]})), api(returns({"enum": ["a"]}))),
    "type-to-any-response": (api(returns(STRING)), api(returns({}))),
    "any-to-type-request": (api(takes({})), api(takes(STRING))),
    "no-schema-to-type-request": (api(takes(None)), api(takes(STRING))),
    "integer-to-nullable-number-request": (api(takes(INTEGER)), api(takes({"type": ["number", "null"]}))),
    "true-schema-to-false": (api(returns(True)), api(returns(False))),
    "operation-id-added": (api(), api({"operationId": "getItem", "responses": OK})),
    "operation-moved-within-its-path": (
        api({"operationId": "getItem", "responses": OK}),
        api() | {"paths": {"/items/{id}": {"put": {"operationId": "getItem", "responses": OK}}}},
    ),
    "pattern-changed-response": (api(returns({"pattern": "^a$"})), api(returns({"pattern": "^b$"}))),
    "pattern-changed-request": (api(takes({"pattern": "^a$"})), api(takes({"pattern": "^b$"}))),
    "pattern-generalized-request": (api(takes({"pattern": "^a$"})), api(takes({"pattern": ".*"}))),
    "pattern-to-any-response": (api(returns({"pattern": "^a$"})), api(returns({"pattern": "^.*$"}))),
    "exclusive-bounds": (
        api(takes({"type": "number", "exclusiveMaximum": 10, "exclusiveMinimum": 0})),
        api(takes({"type": "number", "exclusiveMaximum": 5, "exclusiveMinimum": 1})),
    ),
    "nullable-3-0": (
        api(returns(STRING), openapi="3.0.3"),
        api(returns({"type": "string", "nullable": True}), openapi="3.0.3"),
    ),
    "all-of-part-refuses-null": (
        api(returns({"nullable": True, "allOf": [STRING]}), openapi="3.0.3"),
        api(returns({"allOf": [STRING]}), openapi="3.0.3"),
    ),
    "all-of-merges-keywords": (
        api(returns({"allOf": [{"type": "string", "maxLength": 3}, {"minLength": 1}]})),
        api(returns({"allOf": [{"type": "string", "maxLength": 4}, {"minLength": 1}]})),
    ),
    "additional-properties-schema": (
        api(returns({"type": "object", "additionalProperties": STRING})),
        api(returns({"type": "object", "additionalProperties": {"type": ["string", "integer"]}})),
    ),
    "unevaluated-properties-false-is-closed": (
        api(returns({"type": "object", "unevaluatedProperties": False, "properties": {"a": STRING}})),
        api(
            returns(
                {"type": "object", "unevaluatedProperties": False, "properties": {"a": STRING, "b": STRING}}
            )
        ),
    ),
    "one-of-grew-response": (
        api(returns({"oneOf": [STRING, INTEGER]})),
        api(returns({"oneOf": [STRING, INTEGER, {"type": "boolean"}]})),
    ),
    "any-of-shrank-response": (
        api(returns({"anyOf": [STRING, INTEGER, {"type": "boolean"}]})),
        api(returns({"anyOf": [STRING, INTEGER]})),
    ),
    "any-of-grew-request": (
        api(takes({"anyOf": [STRING, INTEGER]})),
        api(takes({"anyOf": [STRING, INTEGER, {}]})),
    ),
    "any-of-shrank-request": (
        api(takes({"anyOf": [STRING, INTEGER, {}]})),
        api(takes({"anyOf": [STRING, INTEGER]})),
    ),
    "any-of-variant-changed": (
        api(returns({"anyOf": [{"type": "string", "maxLength": 3}, INTEGER]})),
        api(returns({"anyOf": [{"type": "string", "maxLength": 4}, INTEGER]})),
    ),
    "array-items": (
        api(returns({"type": "array", "items": STRING})),
        api(returns({"type": "array", "items": INTEGER})),
    ),
    "recursive-schema": (
        api(returns(S), {"S": {"type": "object", "properties": {"child": S, "name": STRING}}}),
        api(
            returns(S),
            {"S": {"type": "object", "properties": {"child": S, "name": {"maxLength": 3} | STRING}}},
        ),
    ),
    "security-scheme-swapped": (secured([{"a": []}]), secured([{"b": []}])),
    "security-alternative-dropped": (secured([{"a": []}, {"b": []}]), secured([{"a": []}])),
    "security-and-became-or": (secured([{"a": [], "b": []}]), secured([{"a": []}, {"b": []}])),
    "security-one-of-two-dropped": (secured([{"o": ["read"], "b": []}]), secured([{"o": ["read"]}])),
    "security-scope-dropped": (secured([{"o": ["read", "write"]}]), secured([{"o": ["read"]}])),
    "security-scopes-replaced": (secured([{"o": ["read"]}]), secured([{"o": ["write"]}])),
    "http-scheme-case": (
        secured([{"a": []}]),
        secured([{"a": []}], a={"type": "http", "scheme": "Bearer"}),
    ),
    "http-basic-to-bearer": (
        secured([{"a": []}], a={"type": "http", "scheme": "basic"}),
        secured([{"a": []}]),
    ),
    "api-key-moved-to-query": (
        secured([{"b": []}]),
        secured([{"b": []}], b={"type": "apiKey", "in": "query", "name": "K"}),
    ),
    "api-key-query-name-case": (
        secured([{"b": []}], b={"type": "apiKey", "in": "query", "name": "k"}),
        secured([{"b": []}], b={"type": "apiKey", "in": "query", "name": "K"}),
    ),
    "undefined-scheme-before-a-changed-one": (
        secured([{"nowhere": [], "b": []}]),
        secured([{"nowhere": [], "b": []}], b={"type": "apiKey", "in": "header", "name": "L"}),
    ),
    "removed-scheme-before-a-changed-one": (
        secured([{"a": [], "b": []}]),
        api(
            {"security": [{"a": [], "b": []}], "responses": OK},
            components={"securitySchemes": {"b": {"type": "apiKey", "in": "header", "name": "L"}}},
        ),
    ),
    "security-scheme-by-ref": (
        secured([{"r": []}], r={"$ref": "#/components/securitySchemes/b"}),
        secured(
            [{"r": []}],
            r={"$ref": "#/components/securitySchemes/b"},
            b={"type": "apiKey", "in": "header", "name": "L"},
        ),
    ),
    "global-security-unchanged-operation-override": (
        api({"security": [], "responses": OK}, security=[{"a": []}], components={"securitySchemes": SCHEMES}),
        api({"responses": OK}, security=[{"a": []}], components={"securitySchemes": SCHEMES}),
    ),
    "path-parameter-declared": (
        api({"responses": OK}),
        api(
            {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": STRING}],
                "responses": OK,
            }
        ),
    ),
    "path-parameter-type-changed": (
        with_paths(
            {
                "/items/{id}": {
                    "parameters": [{"name": "id", "in": "path", "schema": STRING}],
                    "get": {"responses": OK},
                }
            }
        ),
        with_paths(
            {
                "/items/{key}": {
                    "get": {"parameters": [{"name": "key", "in": "path", "schema": INTEGER}], "responses": OK}
                }
            }
        ),
    ),
    "parameter-in-defaults-to-query-and-nameless-ones-are-skipped": (
        api({"parameters": [{"in": "query"}, {"name": "q", "in": "query"}], "responses": OK}),
        api({"parameters": [{"in": "query"}, {"name": "q", "required": True}], "responses": OK}),
    ),
    "two-path-parameters": (two_path_parameters(x=STRING), two_path_parameters(x=INTEGER)),
    "path-parameter-not-in-the-template": (
        api({"parameters": [{"name": "other", "in": "path", "schema": STRING}], "responses": OK}),
        api({"parameters": [{"name": "other", "in": "path", "schema": INTEGER}], "responses": OK}),
    ),
    "authorization-header-parameter-ignored": (
        api({"responses": OK}),
        api({"parameters": [{"name": "Authorization", "in": "header", "required": True}], "responses": OK}),
    ),
    "ignored-header-before-a-parameter": (
        api(
            {
                "parameters": [{"name": "Accept", "in": "header"}, {"name": "q", "in": "query"}],
                "responses": OK,
            }
        ),
        api(
            {
                "parameters": [
                    {"name": "Accept", "in": "header"},
                    {"name": "q", "in": "query", "required": True},
                ],
                "responses": OK,
            }
        ),
    ),
    "parameter-schema-added": (
        api({"parameters": [{"name": "q", "in": "query"}], "responses": OK}),
        api({"parameters": [{"name": "q", "in": "query", "schema": STRING}], "responses": OK}),
    ),
    "parameter-schema-dropped": (
        api({"parameters": [{"name": "q", "in": "query", "schema": STRING}], "responses": OK}),
        api({"parameters": [{"name": "q", "in": "query"}], "responses": OK}),
    ),
    "removed-parameter-before-a-changed-one": (
        api({"parameters": [{"name": "a", "in": "query"}, {"name": "b", "in": "query"}], "responses": OK}),
        api({"parameters": [{"name": "b", "in": "query", "required": True}], "responses": OK}),
    ),
    "header-parameter-name-case": (
        api({"parameters": [{"name": "X-Tenant", "in": "header"}], "responses": OK}),
        api({"parameters": [{"name": "x-tenant", "in": "header", "required": True}], "responses": OK}),
    ),
    "status-covered-by-default": (
        api({"responses": {"200": {"description": "ok"}, "default": {"description": "error"}}}),
        api(
            {
                "responses": {
                    "200": {"description": "ok"},
                    "default": {"description": "error"},
                    503: {"description": "down"},
                }
            }
        ),
    ),
    "response-header-schema-changed": (
        api(returns(STRING, headers={"X-Rate": {"schema": INTEGER}})),
        api(returns(STRING, headers={"x-rate": {"required": True, "schema": {"type": "number"}}})),
    ),
    "removed-header-before-a-changed-one": (
        api(returns(STRING, headers={"A": {"schema": STRING}, "B": {"schema": STRING}})),
        api(returns(STRING, headers={"B": {"schema": INTEGER}})),
    ),
    "response-header-schema-added": (
        api(returns(STRING, headers={"X": {}})),
        api(returns(STRING, headers={"X": {"schema": STRING}})),
    ),
    "response-header-schema-dropped": (
        api(returns(STRING, headers={"X": {"schema": STRING}})),
        api(returns(STRING, headers={"X": {}})),
    ),
    "response-header-without-schema": (
        api(returns(STRING, headers={"X-Rate": {"description": "a"}})),
        api(returns(STRING, headers={"X-Rate": {"description": "b"}})),
    ),
    "media-types-two-removed": (
        api(
            {
                "responses": {
                    "200": {"description": "ok", "content": {"a/json": {}, "b/json": None, "c/json": {}}}
                }
            }
        ),
        api({"responses": {"200": {"description": "ok", "content": {"c/json": {"schema": STRING}}}}}),
    ),
    "request-body-ref-became-optional": (
        api(
            {"requestBody": {"$ref": "#/components/requestBodies/B"}, "responses": OK},
            components={
                "requestBodies": {"B": {"required": True, "content": {"a/json": {"schema": STRING}}}}
            },
        ),
        api(
            {
                "requestBody": {"content": {"a/json": {"schema": {"type": ["string", "integer"]}}}},
                "responses": OK,
            }
        ),
    ),
    "request-body-schema-ref": (
        api({"requestBody": {"content": {"a/json": {"schema": S}}}, "responses": OK}, {"S": STRING}),
        api({"requestBody": {"content": {"a/json": {"schema": S}}}, "responses": OK}, {"S": INTEGER}),
    ),
    "required-body-schema-changed": (
        api({"requestBody": {"required": True, "content": {"a/json": {"schema": STRING}}}, "responses": OK}),
        api({"requestBody": {"required": True, "content": {"a/json": {"schema": INTEGER}}}, "responses": OK}),
    ),
    "tags-reordered": (
        api({"tags": ["a", "b"], "responses": OK}),
        api({"tags": ["b", "a"], "responses": OK}),
    ),
    "first-tag-given": (api({"responses": OK}), api({"tags": ["items"], "responses": OK})),
    "servers-trailing-slash-and-junk": (
        api(servers=[{"url": "https://a.example/"}, "junk"]),
        api(servers=[{"url": "https://a.example"}]),
    ),
    "extension-and-many-descriptions-edited": (
        api({"x-internal": 1, "responses": {str(s): {"description": "a"} for s in range(200, 207)}}),
        api({"x-internal": 2, "responses": {str(s): {"description": "b"} for s in range(200, 207)}}),
    ),
    "required-property-added-to-open-schema": (
        api(returns({"type": "object", "properties": {"a": STRING}})),
        api(returns({"type": "object", "required": ["b"], "properties": {"a": STRING, "b": STRING}})),
    ),
    "five-places-edited": (
        api({"responses": {str(s): {"description": "a"} for s in range(200, 205)}}),
        api({"responses": {str(s): {"description": "b"} for s in range(200, 205)}}),
    ),
    "six-places-edited": (
        api({"responses": {str(s): {"description": "a"} for s in range(200, 206)}}),
        api({"responses": {str(s): {"description": "b"} for s in range(200, 206)}}),
    ),
    "a-mapping-became-a-list": (api(webhooks={"a": {}}), api(webhooks=[])),
    "a-key-named-version-elsewhere": (
        api(components={"links": {"version": {"operationId": "a"}}}),
        api(components={"links": {"version": {"operationId": "b"}}}),
    ),
    # Eight keys edited beside `version`: skipping the rest of `info` at `version` would miss some,
    # whatever order the (hash-seeded) set of keys comes in, but for 1 chance in 9.
    "info-edited-beside-the-version": (
        api(info={"title": "t", "version": "1.0.0"} | {f"k{i}": "a" for i in range(8)}),
        api(info={"title": "t", "version": "2.0.0"} | {f"k{i}": "b" for i in range(8)}),
    ),
    "first-property-removed-and-the-next-changed": (
        api(returns({"type": "object", "properties": {"a": STRING, "b": STRING}})),
        api(returns({"type": "object", "properties": {"b": INTEGER}})),
    ),
    "all-of-parts-each-require-one": (
        api(returns({"allOf": [{"required": ["a"], "properties": {"a": STRING}}, {"required": ["b"]}]})),
        api(returns({"allOf": [{"properties": {"a": STRING}}, {"required": ["b"]}]})),
    ),
    "nullable-variant-beside-an-all-of": (
        api(
            returns(
                {
                    "allOf": [{"required": ["a"], "properties": {"a": STRING}}],
                    "anyOf": [{"required": ["b"]}, {"type": "null"}],
                }
            )
        ),
        api(
            returns(
                {"allOf": [{"properties": {"a": STRING}}], "anyOf": [{"required": ["b"]}, {"type": "null"}]}
            )
        ),
    ),
    "response-became-enum": (api(returns(STRING)), api(returns({"type": "string", "enum": ["a"]}))),
    "exclusive-maximum-boolean-dropped-3-0": (
        api(takes({"type": "number", "maximum": 10, "exclusiveMaximum": True}), openapi="3.0.3"),
        api(takes({"type": "number", "maximum": 10}), openapi="3.0.3"),
    ),
    "array-gets-items": (api(returns({"type": "array"})), api(returns({"type": "array", "items": STRING}))),
    "request-array-items-widened": (
        api(takes({"type": "array", "items": INTEGER})),
        api(takes({"type": "array", "items": {"type": "number"}})),
    ),
    "recursive-through-items": (
        api(returns(S), {"S": {"type": "array", "items": S, "maxItems": 3}}),
        api(returns(S), {"S": {"type": "array", "items": S, "maxItems": 4}}),
    ),
    "object-gets-additional-properties": (
        api(returns({"type": "object"})),
        api(returns({"type": "object", "additionalProperties": STRING})),
    ),
    "request-additional-properties-widened": (
        api(takes({"type": "object", "additionalProperties": INTEGER})),
        api(takes({"type": "object", "additionalProperties": {"type": "number"}})),
    ),
    "recursive-through-additional-properties": (
        api(
            returns(S),
            {"S": {"type": "object", "additionalProperties": S, "maxProperties": 1, "minLength": 1}},
        ),
        api(
            returns(S),
            {"S": {"type": "object", "additionalProperties": S, "maxProperties": 1, "minLength": 2}},
        ),
    ),
    "request-any-of-variant-widened": (
        api(takes({"anyOf": [STRING, INTEGER]})),
        api(takes({"anyOf": [STRING, {"type": "number"}]})),
    ),
    "recursive-through-any-of": (
        api(returns(S), {"S": {"anyOf": [S, {"type": "integer", "maximum": 3}]}}),
        api(returns(S), {"S": {"anyOf": [S, {"type": "integer", "maximum": 4}]}}),
    ),
    "tags-removed": (api({"tags": ["items"], "responses": OK}), api({"responses": OK})),
    "enum-object-keys-reordered": (
        api(returns({"enum": [{"a": 1, "b": 2}]})),
        api(returns({"enum": [{"b": 2, "a": 1}]})),
    ),
    "enum-of-dates": (
        api(returns({"enum": [datetime.date(2026, 1, 1)]})),
        api(returns({"enum": [datetime.date(2026, 1, 1), datetime.date(2026, 1, 2)]})),
    ),
    "info-title-and-description-edited": (
        api(info={"title": "t", "version": "1.0.0", "description": "a"} | {f"x-{i}": "a" for i in range(6)}),
        api(info={"title": "u", "version": "1.0.1", "description": "b"} | {f"x-{i}": "b" for i in range(6)}),
    ),
    "info-extensions-edited-beside-the-version": (
        api(info={"title": "t", "version": "1.0.0"} | {f"x-n{i}": "a" for i in range(16)}),
        api(info={"title": "t", "version": "1.0.1"} | {f"x-n{i}": "b" for i in range(16)}),
    ),
    "a-documented-key-named-version-elsewhere": (
        api(components={"links": {"version": {"operationId": "a", "description": "x"}}}),
        api(components={"links": {"version": {"operationId": "a", "description": "y"}}}),
    ),
    "documentation-under-a-key-with-a-tilde": (
        api(components={"schemas": {"a~/b": {"description": "x"}}}),
        api(components={"schemas": {"a~/b": {"description": "y"}}}),
    ),
    "operation-without-an-id-moved": (
        with_paths({"/a": {"get": {"responses": OK}}}),
        with_paths({"/b": {"get": {"responses": OK}}}),
    ),
    "default-server-made-explicit": (api(), api(servers=[{"url": "/"}])),
    "server-url-ending-in-x": (api(servers=[{"url": "/apiX"}]), api(servers=[{"url": "/api"}])),
    "no-paths-yet": ({k: v for k, v in api().items() if k != "paths"}, api()),
    "server-replaced-by-two": (api(servers=[{"url": "/a"}]), api(servers=[{"url": "/b"}, {"url": "/c"}])),
    "keys-with-slash-and-tilde": (
        api(components={"schemas": {"a/b~c": STRING}}),
        api(components={"schemas": {"a/b~c": INTEGER}}),
    ),
    # `false` (or `not: {}`) lets no value through: a request that takes nothing breaks its callers,
    # a response that sends nothing does not; the other way round, a response does.
    "false-schema-to-true": (api(returns(False)), api(returns(True))),
    "request-body-became-false": (api(sends(STRING)), api(sends(False))),
    "request-body-false-became-any": (api(sends(False)), api(sends({}))),
    "request-property-became-not-anything": (
        api(sends({"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}})),
        api(sends({"type": "object", "properties": {"a": {"not": {}}}})),
    ),
    "response-property-became-false": (
        api(returns({"type": "object", "properties": {"a": STRING}})),
        api(returns({"type": "object", "properties": {"a": False}})),
    ),
    "response-property-false-became-a-string": (
        api(returns({"type": "object", "properties": {"a": False}})),
        api(returns({"type": "object", "properties": {"a": STRING}})),
    ),
    "response-items-false-became-a-string": (
        api(returns({"type": "array", "items": False})),
        api(returns({"type": "array", "items": STRING})),
    ),
    "request-items-became-false": (
        api(takes({"type": "array", "items": STRING})),
        api(takes({"type": "array", "items": False})),
    ),
    "request-additional-properties-not-anything-dropped": (
        api(takes({"type": "object", "additionalProperties": {"not": True}})),
        api(takes({"type": "object"})),
    ),
    "response-all-of-part-false-dropped": (
        api(returns({"allOf": [STRING, False]})),
        api(returns({"allOf": [STRING]})),
    ),
    "false-written-another-way": (api(returns({"type": "string", "not": {}})), api(returns(False))),
    # A missing `items` or `additionalProperties` allows any value.
    "array-items-dropped": (
        api(returns({"type": "array", "items": STRING})),
        api(returns({"type": "array"})),
    ),
    "request-array-items-dropped": (
        api(takes({"type": "array", "items": STRING})),
        api(takes({"type": "array"})),
    ),
    "request-array-gets-items": (
        api(takes({"type": "array"})),
        api(takes({"type": "array", "items": STRING})),
    ),
    "recursive-items-dropped": (
        api(returns(S), {"S": {"type": "array", "items": S}}),
        api(returns(S), {"S": {"type": "array"}}),
    ),
    "array-became-a-string": (api(returns({"type": "array", "items": STRING})), api(returns(STRING))),
    "string-became-an-array": (api(returns(STRING)), api(returns({"type": "array", "items": STRING}))),
    "object-became-a-string": (
        api(returns({"type": "object", "additionalProperties": INTEGER})),
        api(returns(STRING)),
    ),
    "string-became-an-object": (
        api(returns(STRING)),
        api(returns({"type": "object", "additionalProperties": INTEGER})),
    ),
    "items-of-a-string-dropped": (api(returns({"type": "string", "items": STRING})), api(returns(STRING))),
    "additional-properties-dropped": (
        api(returns({"type": "object", "additionalProperties": STRING})),
        api(returns({"type": "object"})),
    ),
    "additional-properties-of-an-array-dropped": (
        api(returns({"type": "array", "additionalProperties": STRING})),
        api(returns({"type": "array"})),
    ),
    "request-object-gets-additional-properties": (
        api(takes({"type": "object"})),
        api(takes({"type": "object", "additionalProperties": STRING})),
    ),
    "request-schema-closed": (
        api(sends({"type": "object", "properties": {"a": STRING}})),
        api(sends({"type": "object", "properties": {"a": STRING}, "additionalProperties": False})),
    ),
    "request-schema-opened": (
        api(sends({"type": "object", "additionalProperties": False})),
        api(sends({"type": "object", "additionalProperties": STRING})),
    ),
    "response-schema-opened-to-a-schema": (
        api(returns({"type": "object", "additionalProperties": False})),
        api(returns({"type": "object", "additionalProperties": STRING})),
    ),
    # The effective range: 3.0's boolean exclusiveMaximum qualifies maximum; 3.1's is a number.
    "exclusive-maximum-boolean-dropped-3-0-response": (
        api(returns({"type": "number", "maximum": 10, "exclusiveMaximum": True}), openapi="3.0.3"),
        api(returns({"type": "number", "maximum": 10}), openapi="3.0.3"),
    ),
    "exclusive-minimum-boolean-added-3-0": (
        api(takes({"type": "number", "minimum": 0}), openapi="3.0.3"),
        api(takes({"type": "number", "minimum": 0, "exclusiveMinimum": True}), openapi="3.0.3"),
    ),
    "exclusive-minimum-boolean-added-3-0-response": (
        api(returns({"type": "number", "minimum": 0}), openapi="3.0.3"),
        api(returns({"type": "number", "minimum": 0, "exclusiveMinimum": True}), openapi="3.0.3"),
    ),
    "exclusive-maximum-false-dropped-3-0": (
        api(returns({"type": "number", "maximum": 10, "exclusiveMaximum": False}), openapi="3.0.3"),
        api(returns({"type": "number", "maximum": 10}), openapi="3.0.3"),
    ),
    "exclusive-bounds-from-3-0-to-3-1-style": (
        api(
            returns({"maximum": 10, "exclusiveMaximum": True, "minimum": 0, "exclusiveMinimum": True}),
            openapi="3.0.3",
        ),
        api(returns({"exclusiveMaximum": 10, "exclusiveMinimum": 0})),
    ),
    "exclusive-maximum-from-3-0-to-3-1-style-moved": (
        api(returns({"maximum": 10, "exclusiveMaximum": True}), openapi="3.0.3"),
        api(returns({"exclusiveMaximum": 11})),
    ),
    "maximum-became-exclusive-3-1-response": (
        api(returns({"type": "number", "maximum": 10})),
        api(returns({"type": "number", "exclusiveMaximum": 10})),
    ),
    "maximum-became-exclusive-3-1-request": (
        api(takes({"type": "number", "maximum": 10})),
        api(takes({"type": "number", "exclusiveMaximum": 10})),
    ),
    "exclusive-minimum-became-inclusive-3-1-request": (
        api(takes({"type": "number", "exclusiveMinimum": 0})),
        api(takes({"type": "number", "minimum": 0})),
    ),
    "the-tighter-of-maximum-and-exclusive-maximum-holds": (
        api(takes({"maximum": 10, "exclusiveMaximum": 5, "minimum": 0, "exclusiveMinimum": 3})),
        api(takes({"maximum": 4, "exclusiveMaximum": 20, "minimum": 6, "exclusiveMinimum": 3})),
    ),
    "the-looser-of-maximum-and-exclusive-maximum-changed": (
        api(takes({"maximum": 10, "exclusiveMaximum": 20, "minimum": 3, "exclusiveMinimum": 0})),
        api(takes({"maximum": 10, "exclusiveMaximum": 30, "minimum": 3, "exclusiveMinimum": 1})),
    ),
    "maximum-and-exclusive-maximum-at-one-value": (
        api(takes({"maximum": 10, "exclusiveMaximum": 10, "minimum": 0, "exclusiveMinimum": 0})),
        api(takes({"maximum": 10, "minimum": 0})),
    ),
    # maxProperties and minProperties, like the other bounds.
    "max-properties-set-request": (
        api(sends({"type": "object"})),
        api(sends({"type": "object", "maxProperties": 2})),
    ),
    "max-properties-increased-request": (
        api(sends({"type": "object", "maxProperties": 2})),
        api(sends({"type": "object", "maxProperties": 3})),
    ),
    "max-properties-increased-response": (
        api(returns({"type": "object", "maxProperties": 2})),
        api(returns({"type": "object", "maxProperties": 3})),
    ),
    "min-properties-decreased-response": (
        api(returns({"type": "object", "minProperties": 2})),
        api(returns({"type": "object", "minProperties": 1})),
    ),
    "min-properties-unset-request": (
        api(takes({"type": "object", "minProperties": 1})),
        api(takes({"type": "object"})),
    ),
    # Headers and properties are keyed by name: `X-Rate` or `title` there is a name, not an
    # extension or documentation.
    "document-extension-edited": (api() | {"x-audience": "a"}, api() | {"x-audience": "b"}),
    "x-header-removed": (
        api(returns(STRING, headers={"x-rate": {"schema": INTEGER}})),
        api(returns(STRING)),
    ),
    "x-header-extension-edited": (
        api(returns(STRING, headers={"X-Rate": {"schema": INTEGER, "x-note": "a"}})),
        api(returns(STRING, headers={"X-Rate": {"schema": INTEGER, "x-note": "b"}})),
    ),
    "properties-named-like-extensions-and-documentation": (
        api(returns({"type": "object", "properties": {"x-id": STRING, "title": STRING, "p": STRING}})),
        api(
            returns(
                {
                    "type": "object",
                    "properties": {"x-id": INTEGER, "title": INTEGER, "p": {"type": "string", "title": "P"}},
                }
            )
        ),
    ),
    # `enum: []` lets no value through, like `false`.
    "request-enum-became-empty": (api(takes({"type": "string", "enum": ["a"]})), api(takes({"enum": []}))),
    "request-empty-enum-got-a-value": (api(takes({"enum": []})), api(takes({"enum": ["a"]}))),
    "response-enum-became-empty": (api(returns({"enum": ["a"]})), api(returns({"enum": []}))),
    "response-empty-enum-got-a-value": (api(returns({"enum": []})), api(returns({"enum": ["a"]}))),
    "empty-enum-written-as-false": (api(returns({"enum": []})), api(returns(False))),
    # Found by the mutation run: each keyword on one side only, recursion through each, and
    # a schema closed by `unevaluatedProperties` rather than `additionalProperties`.
    "response-prefix-items-dropped": (
        api(returns({"type": "array", "prefixItems": [STRING]})),
        api(returns({"type": "array"})),
    ),
    "request-prefix-items-set": (
        api(takes({"type": "array"})),
        api(takes({"type": "array", "prefixItems": [STRING]})),
    ),
    "unevaluated-items-of-a-string-changed": (
        api(returns({"type": "string", "unevaluatedItems": STRING})),
        api(returns({"type": "string", "unevaluatedItems": INTEGER})),
    ),
    "response-property-names-dropped": (
        api(returns({"type": "object", "propertyNames": {"maxLength": 3}})),
        api(returns({"type": "object"})),
    ),
    "response-pattern-property-added-where-unevaluated-properties-was-false": (
        api(returns({"type": "object", "unevaluatedProperties": False})),
        api(
            returns({"type": "object", "patternProperties": {"^x-": STRING}, "unevaluatedProperties": False})
        ),
    ),
    "recursive-through-prefix-items": (
        api(returns(S), {"S": {"type": "array", "prefixItems": [S], "maxItems": 3}}),
        api(returns(S), {"S": {"type": "array", "prefixItems": [S], "maxItems": 4}}),
    ),
    "recursive-through-unevaluated-items": (
        api(returns(S), {"S": {"type": "array", "unevaluatedItems": S, "maxItems": 3}}),
        api(returns(S), {"S": {"type": "array", "unevaluatedItems": S, "maxItems": 4}}),
    ),
    "recursive-through-pattern-properties": (
        api(returns(S), {"S": {"type": "object", "patternProperties": {"^p": S}, "maxProperties": 3}}),
        api(returns(S), {"S": {"type": "object", "patternProperties": {"^p": S}, "maxProperties": 4}}),
    ),
    "recursive-through-property-names": (
        api(
            returns(S),
            {"S": {"type": "object", "propertyNames": {"properties": {"p": S}}, "maxProperties": 3}},
        ),
        api(
            returns(S),
            {"S": {"type": "object", "propertyNames": {"properties": {"p": S}}, "maxProperties": 4}},
        ),
    ),
    "recursive-through-dependent-schemas": (
        api(returns(S), {"S": {"type": "object", "dependentSchemas": {"a": S}, "maxProperties": 3}}),
        api(returns(S), {"S": {"type": "object", "dependentSchemas": {"a": S}, "maxProperties": 4}}),
    ),
    "tags-beside-extensions-of-an-operation": (
        api({"tags": ["a"], "responses": OK} | {f"x-k{i}": "a" for i in range(8)}),
        api({"tags": ["a", "b"], "responses": OK} | {f"x-k{i}": "b" for i in range(8)}),
    ),
    # A request property added as `false` forbids a name the old schema let through.
    "request-property-added-as-false": (
        api(sends({"type": "object", "properties": {"a": STRING}})),
        api(sends({"type": "object", "properties": {"a": STRING, "b": False}})),
    ),
    "request-property-added-as-false-to-a-closed-object": (
        api(sends({"type": "object", "additionalProperties": False})),
        api(sends({"type": "object", "properties": {"b": False}, "additionalProperties": False})),
    ),
    "request-property-added-as-false-beside-additional-properties": (
        api(sends({"type": "object", "additionalProperties": STRING})),
        api(sends({"type": "object", "properties": {"b": {"not": {}}}, "additionalProperties": STRING})),
    ),
    "request-property-added-as-false-matching-a-pattern": (
        api(sends({"type": "object", "patternProperties": {"^a": STRING, "^b": INTEGER}})),
        api(
            sends(
                {
                    "type": "object",
                    "properties": {"b": False},
                    "patternProperties": {"^a": STRING, "^b": INTEGER},
                }
            )
        ),
    ),
    "request-property-added-as-false-where-a-pattern-is-not-python": (
        api(sends({"type": "object", "patternProperties": {"\\p{L}(": INTEGER}})),
        api(sends({"type": "object", "properties": {"b": False}, "patternProperties": {"\\p{L}(": INTEGER}})),
    ),
    "request-property-added-as-false-after-a-pattern-python-cannot-read": (
        api(sends({"type": "object", "patternProperties": {"\\p{L}(": STRING, "b": INTEGER}})),
        api(
            sends(
                {
                    "type": "object",
                    "properties": {"ab": False},
                    "patternProperties": {"\\p{L}(": STRING, "b": INTEGER},
                }
            )
        ),
    ),
    "request-false-property-removed": (
        api(
            sends({"type": "object", "properties": {"a": STRING, "b": False}, "additionalProperties": False})
        ),
        api(sends({"type": "object", "properties": {"a": STRING}, "additionalProperties": False})),
    ),
    "response-property-added-as-false": (
        api(returns({"type": "object", "properties": {"a": STRING}})),
        api(returns({"type": "object", "properties": {"a": STRING, "b": False}})),
    ),
    # 3.1 tuples: `prefixItems` position by position, `items` (or `unevaluatedItems`) after them.
    "response-prefix-item-changed": (
        api(returns({"type": "array", "prefixItems": [STRING, INTEGER]})),
        api(returns({"type": "array", "prefixItems": [STRING, {"type": "boolean"}]})),
    ),
    "request-prefix-item-added": (
        api(takes({"type": "array", "prefixItems": [STRING]})),
        api(takes({"type": "array", "prefixItems": [STRING, INTEGER]})),
    ),
    "response-prefix-item-added": (
        api(returns({"type": "array", "prefixItems": [STRING]})),
        api(returns({"type": "array", "prefixItems": [STRING, INTEGER]})),
    ),
    "response-prefix-item-dropped": (
        api(returns({"type": "array", "prefixItems": [STRING, INTEGER]})),
        api(returns({"type": "array", "prefixItems": [STRING]})),
    ),
    "request-prefix-item-dropped-before-closed-items": (
        api(takes({"type": "array", "prefixItems": [STRING, INTEGER], "items": False})),
        api(takes({"type": "array", "prefixItems": [STRING], "items": False})),
    ),
    "prefix-item-moved-into-items": (
        api(returns({"type": "array", "prefixItems": [STRING, INTEGER], "items": INTEGER})),
        api(returns({"type": "array", "prefixItems": [STRING], "items": INTEGER})),
    ),
    "prefix-items-of-a-string-changed": (
        api(returns({"type": "string", "prefixItems": [STRING]})),
        api(returns({"type": "string", "prefixItems": [INTEGER]})),
    ),
    "response-unevaluated-items-changed": (
        api(returns({"type": "array", "unevaluatedItems": STRING})),
        api(returns({"type": "array", "unevaluatedItems": INTEGER})),
    ),
    "unevaluated-items-written-as-items": (
        api(returns({"type": "array", "unevaluatedItems": STRING})),
        api(returns({"type": "array", "items": STRING})),
    ),
    "request-unevaluated-items-false-dropped": (
        api(takes({"type": "array", "prefixItems": [STRING], "unevaluatedItems": False})),
        api(takes({"type": "array", "prefixItems": [STRING]})),
    ),
    "request-unevaluated-items-closed": (
        api(takes({"type": "array", "prefixItems": [STRING]})),
        api(takes({"type": "array", "prefixItems": [STRING], "unevaluatedItems": False})),
    ),
    "unevaluated-items-beside-alternatives": (
        api(returns({"anyOf": [{"type": "array"}, STRING], "unevaluatedItems": STRING})),
        api(returns({"anyOf": [{"type": "array"}, STRING], "unevaluatedItems": INTEGER})),
    ),
    # `patternProperties`: each pattern's schema, against what held for those names before.
    "response-pattern-property-changed": (
        api(returns({"type": "object", "patternProperties": {"^x-": STRING}})),
        api(returns({"type": "object", "patternProperties": {"^x-": INTEGER}})),
    ),
    "request-pattern-property-added": (
        api(sends({"type": "object"})),
        api(sends({"type": "object", "patternProperties": {"^x-": STRING}})),
    ),
    "request-pattern-property-added-to-a-closed-object": (
        api(sends({"type": "object", "additionalProperties": False})),
        api(sends({"type": "object", "patternProperties": {"^x-": STRING}, "additionalProperties": False})),
    ),
    "response-pattern-property-added-to-a-closed-object": (
        api(returns({"type": "object", "additionalProperties": False})),
        api(returns({"type": "object", "patternProperties": {"^x-": STRING}, "additionalProperties": False})),
    ),
    "response-pattern-property-removed": (
        api(
            returns(
                {"type": "object", "patternProperties": {"^a/b~": STRING}, "additionalProperties": INTEGER}
            )
        ),
        api(returns({"type": "object", "additionalProperties": INTEGER})),
    ),
    "request-pattern-property-removed-from-a-closed-object": (
        api(sends({"type": "object", "patternProperties": {"^x-": STRING}, "unevaluatedProperties": False})),
        api(sends({"type": "object", "unevaluatedProperties": False})),
    ),
    "pattern-properties-of-an-array-changed": (
        api(returns({"type": "array", "patternProperties": {"^x-": STRING}})),
        api(returns({"type": "array", "patternProperties": {"^x-": INTEGER}})),
    ),
    # `propertyNames`: a schema on the names, which are strings.
    "request-property-names-pattern-added": (
        api(sends({"type": "object"})),
        api(sends({"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}})),
    ),
    "response-property-names-longer": (
        api(returns({"type": "object", "propertyNames": {"maxLength": 5}})),
        api(returns({"type": "object", "propertyNames": {"maxLength": 9}})),
    ),
    "property-names-said-to-be-strings": (
        api(returns({"type": "object"})),
        api(returns({"type": "object", "propertyNames": STRING})),
    ),
    "request-property-names-became-false": (
        api(takes({"type": "object", "propertyNames": {"maxLength": 3}})),
        api(takes({"type": "object", "propertyNames": False})),
    ),
    "property-names-of-a-string-changed": (
        api(takes({"type": "string", "propertyNames": {"maxLength": 3}})),
        api(takes({"type": "string", "propertyNames": {"maxLength": 2}})),
    ),
    # `dependentRequired`: a requirement that holds when a property is present, like `required`.
    "request-dependent-required-added": (
        api(sends({"type": "object", "properties": {"a": STRING, "b": STRING}})),
        api(
            sends(
                {
                    "type": "object",
                    "properties": {"a": STRING, "b": STRING},
                    "dependentRequired": {"a": ["b"]},
                }
            )
        ),
    ),
    "request-dependent-required-removed": (
        api(sends({"type": "object", "dependentRequired": {"a": ["b"]}})),
        api(sends({"type": "object"})),
    ),
    "response-dependent-required-removed": (
        api(returns({"type": "object", "dependentRequired": {"a": ["b"]}})),
        api(returns({"type": "object", "dependentRequired": {}})),
    ),
    "response-dependent-required-added": (
        api(returns({"type": "object"})),
        api(returns({"type": "object", "dependentRequired": {"a/b": ["c"]}})),
    ),
    "response-property-dependent-required-changed": (
        api(returns({"properties": {"p": {"type": "object", "dependentRequired": {"a": ["b", "c"]}}}})),
        api(returns({"properties": {"p": {"type": "object", "dependentRequired": {"a": ["c", "d"]}}}})),
    ),
    "parameter-dependent-required-added": (
        api(takes({"type": "object"})),
        api(takes({"type": "object", "dependentRequired": {"a": ["b"]}})),
    ),
    # `dependentSchemas`: a schema that applies when a property is present.
    "request-dependent-schema-added": (
        api(sends({"type": "object"})),
        api(sends({"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}})),
    ),
    "response-dependent-schema-dropped": (
        api(returns({"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}})),
        api(returns({"type": "object"})),
    ),
    "response-dependent-schema-changed": (
        api(returns({"dependentSchemas": {"a": {"properties": {"b": {"type": "string", "maxLength": 3}}}}})),
        api(returns({"dependentSchemas": {"a": {"properties": {"b": {"type": "string", "maxLength": 4}}}}})),
    ),
    "request-required-without-a-property-schema": (
        api(sends({"type": "object", "required": ["a"]})),
        api(sends({"type": "object", "required": ["b"]})),
    ),
    "refs-in-tuples-patterns-names-and-dependent-schemas": (
        api(
            returns(
                {
                    "prefixItems": [S],
                    "patternProperties": {"^p": S},
                    "propertyNames": S,
                    "dependentSchemas": {"d": S},
                }
            ),
            {"S": {"type": "string", "maxLength": 3}},
        ),
        api(
            returns(
                {
                    "prefixItems": [S],
                    "patternProperties": {"^p": S},
                    "propertyNames": S,
                    "dependentSchemas": {"d": S},
                }
            ),
            {"S": {"type": "string", "maxLength": 4}},
        ),
    ),
    # Maps of names (components, links, server variables, patternProperties...): a key there is a
    # name, whatever it looks like, never an extension or documentation.
    "schema-named-description-changed": (
        api(returns({"$ref": "#/components/schemas/description"}), {"description": STRING}),
        api(returns({"$ref": "#/components/schemas/description"}), {"description": INTEGER}),
    ),
    "unused-schema-named-like-an-extension-edited": (
        api(schemas={"x-thing": STRING}),
        api(schemas={"x-thing": INTEGER}),
    ),
    "documentation-in-a-schema-named-title-edited": (
        api(schemas={"title": {"type": "string", "description": "a"}}),
        api(schemas={"title": {"type": "string", "description": "b"}}),
    ),
    "components-extension-edited": (
        api(components={"schemas": {}, "x-note": "a"}),
        api(components={"schemas": {}, "x-note": "b"}),
    ),
    "link-named-like-an-extension-edited": (
        api(returns(STRING, links={"x-next": {"operationId": "a"}})),
        api(returns(STRING, links={"x-next": {"operationId": "b"}})),
    ),
    "discriminator-mapping-key-named-description-edited": (
        api(returns({"discriminator": {"propertyName": "k", "mapping": {"description": "#/a"}}})),
        api(returns({"discriminator": {"propertyName": "k", "mapping": {"description": "#/b"}}})),
    ),
    "webhook-named-like-an-extension-edited": (
        api(webhooks={"x-hook": {"post": {"responses": {"200": {"description": "a"}}}}}),
        api(webhooks={"x-hook": {"post": {"responses": {"201": {"description": "a"}}}}}),
    ),
    "pattern-property-named-like-an-extension": (
        api(returns({"type": "object", "patternProperties": {"x-": STRING}})),
        api(returns({"type": "object", "patternProperties": {"x-": INTEGER}})),
    ),
    "dependent-required-of-a-property-named-description": (
        api(returns({"type": "object", "dependentRequired": {"description": ["a"]}})),
        api(returns({"type": "object", "dependentRequired": {"description": ["b"]}})),
    ),
    "dependent-schema-of-a-property-named-title": (
        api(returns({"type": "object", "dependentSchemas": {"title": {"required": ["a"]}}})),
        api(returns({"type": "object", "dependentSchemas": {"title": {"required": ["a", "b"]}}})),
    ),
    "defs-named-like-extensions-edited": (
        api(returns({"$defs": {"x-a": STRING}, "definitions": {"x-b": STRING}})),
        api(returns({"$defs": {"x-a": INTEGER}, "definitions": {"x-b": INTEGER}})),
    ),
    "media-type-named-like-an-extension": (
        api({"responses": {"200": {"description": "ok", "content": {"x-a": {"schema": STRING}}}}}),
        api({"responses": {"200": {"description": "ok", "content": {"x-a": {"schema": INTEGER}}}}}),
    ),
    "encoding-and-callback-named-like-extensions-edited": (
        api(
            {
                "requestBody": {
                    "content": {"a/json": {"schema": {}, "encoding": {"x-p": {"contentType": "a"}}}}
                },
                "callbacks": {"x-cb": {"{$url}": {"post": {"responses": {"200": {"description": "a"}}}}}},
                "responses": OK,
            }
        ),
        api(
            {
                "requestBody": {
                    "content": {"a/json": {"schema": {}, "encoding": {"x-p": {"contentType": "b"}}}}
                },
                "callbacks": {"x-cb": {"{$url}": {"post": {"responses": {"201": {"description": "a"}}}}}},
                "responses": OK,
            }
        ),
    ),
    "link-server-variable-named-description-edited": (
        api(
            returns(
                STRING,
                links={"l": {"server": {"url": "/{v}", "variables": {"description": {"default": "a"}}}}},
            )
        ),
        api(
            returns(
                STRING,
                links={"l": {"server": {"url": "/{v}", "variables": {"description": {"default": "b"}}}}},
            )
        ),
    ),
    "operation-responses-extension-edited": (
        api({"responses": {"200": {"description": "ok"}, "x-note": "a"}}),
        api({"responses": {"200": {"description": "ok"}, "x-note": "b"}}),
    ),
}


SMALL_FINDINGS = CORPUS / "small-findings.yaml"


@cache
def _small_findings() -> dict[str, list[str]]:
    return yaml.load(SMALL_FINDINGS.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("name", list(SMALL))
def test_a_change_to_a_small_contract_is_found_where_it_is(name: str) -> None:
    old, new = SMALL[name]
    report = compare(parse(old, CORPUS / "old.yaml"), parse(new, CORPUS / "new.yaml"))
    assert findings(report) == _small_findings()[name]


def test_every_small_contract_has_its_findings_written_down() -> None:
    assert list(_small_findings()) == list(SMALL)


@pytest.mark.parametrize("combinator", ["allOf", "anyOf"])
def test_a_part_in_another_file_keeps_its_own_refs(tmp_path: Path, combinator: str) -> None:
    """The part's properties are read with the part's resolver: `#/Defs/P` is in the other file.
    (`anyOf: [X, null]` is X, nullable: merged like an allOf part.)"""
    for name, type in (("old", "string"), ("new", "integer")):
        part = {"Part": {"properties": {"p": {"$ref": "#/Defs/P"}}}, "Defs": {"P": {"type": type}}}
        (tmp_path / f"{name}-parts.yaml").write_text(yaml.safe_dump(part))
    null = [{"type": "null"}] if combinator == "anyOf" else []
    old, new = (
        parse(
            api(returns({combinator: [{"$ref": f"{name}-parts.yaml#/Part"}, *null]})),
            tmp_path / f"{name}.yaml",
        )
        for name in ("old", "new")
    )
    changed = "type string is now integer"
    assert findings(compare(old, new)) == [
        f"BREAKING response-property-type-changed at {BODY} #/properties/p: {changed} [{ITEM}]"
    ]


def nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    schema = leaf
    for _ in range(depth):
        schema = {"type": "object", "properties": {"p": schema}}
    return schema


def test_schemas_are_compared_64_levels_deep_and_no_deeper() -> None:
    """The guard against runaway (or recursive) schemas: a change 64 properties down is found, one
    65 down is not."""
    for depth, found in ((64, True), (65, False)):
        old, new = (
            parse(api(returns(nested(depth, {"type": "string", "maxLength": size}))), CORPUS / "x.yaml")
            for size in (3, 4)
        )
        report = compare(old, new)
        assert [change.rule.id for change in report.changes] == (
            ["response-property-max-length-increased"] if found else ["spec-changed"]
        ), depth
        if found:
            assert report.changes[0].location == f"{BODY} #" + "/properties/p" * depth


def test_a_chain_of_32_refs_is_followed_and_33_is_a_cycle() -> None:
    def chain(length: int, type: str) -> Spec:
        schemas = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(length - 1)}
        schemas[f"S{length - 1}"] = {"$ref": "#/components/schemas/End"}
        schemas["End"] = {"type": type}
        return parse(api(returns({"$ref": "#/components/schemas/S0"}), schemas), CORPUS / "x.yaml")

    assert findings(compare(chain(31, "string"), chain(31, "integer"))) == [
        f"BREAKING response-body-type-changed at {BODY}: type string is now integer [{ITEM}]"
    ]
    with pytest.raises(SpecError, match=r"^a \$ref cycle through #/components/schemas/End$"):
        compare(chain(32, "string"), chain(32, "integer"))


def test_a_ref_cycle_is_a_spec_error() -> None:
    schemas = {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}
    looped = parse(api(returns({"$ref": "#/components/schemas/A"}), schemas), CORPUS / "new.yaml")
    with pytest.raises(SpecError, match=r"^a \$ref cycle through #/components/schemas/[AB]$"):
        compare(looped, looped)


def test_a_ref_that_does_not_resolve_is_a_spec_error() -> None:
    """Under a schema with its own `$id` the loader does not look `$ref`s up: the checker meets it."""
    broken = parse(
        api(returns({"$id": "https://x.example/s", "items": {"$ref": "#/nope"}})), CORPUS / "new.yaml"
    )
    with pytest.raises(SpecError) as raised:
        compare(broken, broken)
    assert str(raised.value) == "cannot resolve $ref '#/nope' (PointerToNowhere)"


def test_a_shape_openapi_forbids_is_a_spec_error_not_a_crash() -> None:
    odd = parse(
        api({"responses": {"200": {"description": "ok", "content": {"a/json": "text"}}}}), CORPUS / "o.yaml"
    )
    with pytest.raises(SpecError) as raised:
        compare(odd, odd)
    assert str(raised.value) == (
        "not a valid OpenAPI 3.x document (AttributeError: 'str' object has no attribute 'get')"
    )


def write_findings() -> None:
    header = "# Written by `python -m tests.tools.test_compat_checker`; read the diff before committing it.\n"
    written = {}
    for case in PAIRS:
        old, new = _pair(case)
        written[case.id] = {
            "old -> new": findings(compare(old, new)),
            "new -> old": findings(compare(new, old)),
        }
    FINDINGS.write_text(header + yaml.safe_dump(written, sort_keys=False, width=200), encoding="utf-8")
    small = {
        name: findings(compare(parse(old, CORPUS / "old.yaml"), parse(new, CORPUS / "new.yaml")))
        for name, (old, new) in SMALL.items()
    }
    SMALL_FINDINGS.write_text(header + yaml.safe_dump(small, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    write_findings()
