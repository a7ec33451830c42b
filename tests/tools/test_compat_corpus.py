"""The corpus: old/new pairs made from the real specs, each with the exact verdict and the rule.

Every rule the issue lists has a breaking case and a near-miss that is not breaking. Each pair is
the real spec, loaded, with a base edit applied to both sides (where the rule needs something the
spec does not have yet, a query parameter or a request body), then one edit on the new side.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.compat import compare
from tools.compat.changelog import who
from tools.compat.consumers import consumers_of
from tools.compat.spec import parse
from tools.registry import service

Edit = Callable[[dict[str, Any]], None]


# The real specs as they were released at 1.0.0, frozen here: the pairs are edits of them, and
# their verdicts must not move whenever the live specs do.
CORPUS = Path(__file__).resolve().parent / "corpus"


@cache
def _loaded(name: str) -> dict[str, Any]:
    """The YAML alone is cached, not the checker's own `load`: under `make mutate` a cache filled
    before the mutant is switched on would hide it (see docs/testing-strength.md)."""
    return yaml.load((CORPUS / f"{name}.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def _real(name: str) -> dict[str, Any]:
    """A fresh copy of the real spec (as released at 1.0.0), as loaded."""
    return copy.deepcopy(_loaded(name))


def _op(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return doc["paths"][path][method]


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return doc["components"]["schemas"][name]


def _nothing(doc: dict[str, Any]) -> None:
    pass


@dataclass(frozen=True)
class Pair:
    id: str
    spec: str  # "auth" or "info"
    edit: Edit  # applied to NEW only
    breaking: frozenset[str]  # the breaking rules, exactly; empty: compatible
    rule: str  # the rule the pair is about (breaking or not); "" when nothing should be reported
    base: Edit = _nothing  # applied to both OLD and NEW


def pair(
    id: str, spec: str, edit: Edit, breaking: set[str] | str, rule: str | None = None, base: Edit = _nothing
) -> Pair:
    breaking = {breaking} if isinstance(breaking, str) else breaking
    return Pair(
        id, spec, edit, frozenset(breaking), rule if rule is not None else min(breaking, default=""), base
    )


# --- edits --------------------------------------------------------------------------------
def query(name: str, **schema: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        _op(doc, "/info/", "get")["parameters"].append({"name": name, "in": "query", "schema": dict(schema)})

    return edit


def set_in(getter: Callable[[dict[str, Any]], dict[str, Any]], **values: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        target = getter(doc)
        for key, value in values.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value

    return edit


def both(*edits: Edit) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        for each in edits:
            each(doc)

    return edit


def q_schema(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda doc: next(p for p in _op(doc, "/info/", "get")["parameters"] if p.get("name") == name)[
        "schema"
    ]


request_id_param = lambda doc: doc["components"]["parameters"]["RequestId"]  # noqa: E731
request_id_schema = lambda doc: doc["components"]["parameters"]["RequestId"]["schema"]  # noqa: E731
subject = lambda doc: _schema(doc, "LoginResult")["properties"]["subject"]  # noqa: E731
login = lambda doc: _op(doc, "/login/", "post")  # noqa: E731
token_scheme = lambda doc: doc["components"]["securitySchemes"]["token"]  # noqa: E731


def body(required: bool = False, **properties: Any) -> Edit:
    """A request body on POST /login/, in JSON and form encoding."""

    def edit(doc: dict[str, Any]) -> None:
        schema = {"type": "object", "properties": {"remember": {"type": "boolean"}, **properties}}
        login(doc)["requestBody"] = {
            "required": required,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": copy.deepcopy(schema)},
            },
        }

    return edit


def body_schema(doc: dict[str, Any]) -> dict[str, Any]:
    return login(doc)["requestBody"]["content"]["application/json"]["schema"]


def add_response(path: str, method: str, status: str, ref: str = "#/components/responses/BadRequest") -> Edit:
    return lambda doc: _op(doc, path, method)["responses"].__setitem__(status, {"$ref": ref})


def rename_path(old: str, new: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        doc["paths"] = {(new if k == old else k): v for k, v in doc["paths"].items()}

    return edit


def token_path(name: str) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        doc["paths"][f"/tokens/{{{name}}}"] = {
            "get": {
                "operationId": "getToken",
                "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"204": {"description": "known"}},
            }
        }

    return edit


def rename_token_path(d: dict[str, Any]) -> None:
    d["paths"].pop("/tokens/{id}")
    token_path("token")(d)


def reorder_paths(doc: dict[str, Any]) -> None:
    doc["paths"] = dict(reversed(list(doc["paths"].items())))


def move_param_to_path(doc: dict[str, Any]) -> None:
    doc["paths"]["/login/"]["parameters"] = login(doc).pop("parameters")


def unauthorized_header(name: str, required: bool | None) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        headers = doc["components"]["responses"]["Unauthorized"]["headers"]
        if required is None:
            headers.pop(name)
        else:
            headers[name] = {"required": required, "schema": {"type": "string"}}

    return edit


def login_200_content(doc: dict[str, Any]) -> dict[str, Any]:
    return login(doc)["responses"]["200"]["content"]


def rename_media(doc: dict[str, Any]) -> None:
    content = login_200_content(doc)
    content["application/vnd.auth+json"] = content.pop("application/json")


def add_media(doc: dict[str, Any]) -> None:
    content = login_200_content(doc)
    content["application/vnd.auth+json"] = copy.deepcopy(content["application/json"])


open_login_result = set_in(lambda d: _schema(d, "LoginResult"), additionalProperties=None)
expires = {"type": "integer"}

PAIRS = [
    # operations
    pair("path-removed", "auth", lambda d: d["paths"].pop("/readyz"), "api-path-removed-without-deprecation"),
    pair("path-renamed", "auth", rename_path("/login/", "/signin/"), "api-path-removed-without-deprecation"),
    pair("paths-reordered", "auth", reorder_paths, set(), rule=""),
    pair(
        "path-parameter-renamed",
        "auth",
        rename_token_path,
        set(),
        "spec-changed",
        base=token_path("id"),
    ),
    pair(
        "operation-removed",
        "auth",
        lambda d: d["paths"]["/login/"].pop("delete"),
        "api-removed-without-deprecation",
        base=lambda d: d["paths"]["/login/"].__setitem__(
            "delete", {"responses": {"204": {"description": "gone"}}}
        ),
    ),
    pair(
        "operation-added",
        "auth",
        lambda d: d["paths"]["/login/"].__setitem__(
            "delete", {"operationId": "logout", "responses": {"204": {"description": "gone"}}}
        ),
        set(),
        "endpoint-added",
    ),
    pair("operation-id-changed", "auth", set_in(login, operationId="checkToken"), "api-operation-id-removed"),
    pair(
        "summary-and-example-edited",
        "auth",
        both(
            set_in(login, summary="Is this token valid?"),
            set_in(lambda d: login_200_content(d)["application/json"], example={"subject": "alice"}),
        ),
        set(),
        "documentation-changed",
    ),
    pair("first-tag-changed", "auth", set_in(login, tags=["tokens"]), "api-tag-removed"),
    pair("second-tag-added", "auth", set_in(login, tags=["auth", "tokens"]), set(), "api-tag-added"),
    pair(
        "server-url-changed",
        "auth",
        lambda d: d["servers"][0].__setitem__("url", "/auth"),
        "api-server-url-changed",
    ),
    pair(
        "server-added",
        "auth",
        lambda d: d["servers"].append({"url": "https://auth.example"}),
        set(),
        "api-server-added",
    ),
    # request: parameters
    pair(
        "required-header-added",
        "auth",
        lambda d: login(d)["parameters"].append(
            {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}}
        ),
        "new-required-request-parameter",
    ),
    pair(
        "optional-header-added",
        "auth",
        lambda d: login(d)["parameters"].append(
            {"name": "X-Tenant", "in": "header", "schema": {"type": "string"}}
        ),
        set(),
        "new-optional-request-parameter",
    ),
    pair(
        "parameter-became-required",
        "auth",
        set_in(request_id_param, required=True),
        "request-parameter-became-required",
    ),
    pair(
        "parameter-became-optional",
        "auth",
        set_in(request_id_param, required=False),
        set(),
        "request-parameter-became-optional",
        base=set_in(request_id_param, required=True),
    ),
    pair("parameter-removed", "auth", lambda d: login(d).pop("parameters"), "request-parameter-removed"),
    pair("parameter-moved-to-path-level", "auth", move_param_to_path, set(), "spec-changed"),
    pair(
        "parameter-type-narrowed",
        "info",
        set_in(q_schema("limit"), type="integer"),
        "request-parameter-type-changed",
        base=query("limit", type="number"),
    ),
    pair(
        "parameter-type-widened",
        "info",
        set_in(q_schema("limit"), type="number"),
        set(),
        "request-parameter-type-generalized",
        base=query("limit", type="integer"),
    ),
    pair(
        "parameter-enum-value-removed",
        "info",
        set_in(q_schema("lang"), enum=["en"]),
        "request-parameter-enum-value-removed",
        base=query("lang", type="string", enum=["en", "pl"]),
    ),
    pair(
        "parameter-enum-value-added",
        "info",
        set_in(q_schema("lang"), enum=["en", "pl", "de"]),
        set(),
        "request-parameter-enum-value-added",
        base=query("lang", type="string", enum=["en", "pl"]),
    ),
    pair(
        "parameter-became-enum",
        "info",
        set_in(q_schema("lang"), enum=["en"]),
        "request-parameter-became-enum",
        base=query("lang", type="string"),
    ),
    pair(
        "parameter-pattern-added",
        "auth",
        set_in(request_id_schema, pattern="^[a-z]+$"),
        "request-parameter-pattern-added",
    ),
    pair(
        "parameter-pattern-removed",
        "auth",
        set_in(request_id_schema, pattern=None),
        set(),
        "request-parameter-pattern-removed",
        base=set_in(request_id_schema, pattern="^[a-z]+$"),
    ),
    pair(
        "parameter-max-length-decreased",
        "auth",
        set_in(request_id_schema, maxLength=64),
        "request-parameter-max-length-decreased",
        base=set_in(request_id_schema, maxLength=128),
    ),
    pair(
        "parameter-max-length-increased",
        "auth",
        set_in(request_id_schema, maxLength=256),
        set(),
        "request-parameter-max-length-increased",
        base=set_in(request_id_schema, maxLength=128),
    ),
    pair(
        "parameter-min-length-increased",
        "auth",
        set_in(request_id_schema, minLength=8),
        "request-parameter-min-length-increased",
        base=set_in(request_id_schema, minLength=1),
    ),
    pair(
        "parameter-max-decreased",
        "info",
        set_in(q_schema("limit"), maximum=50),
        "request-parameter-max-decreased",
        base=query("limit", type="integer", minimum=1, maximum=100),
    ),
    pair(
        "parameter-min-decreased",
        "info",
        set_in(q_schema("limit"), minimum=0),
        set(),
        "request-parameter-min-decreased",
        base=query("limit", type="integer", minimum=1, maximum=100),
    ),
    # request: security
    pair(
        "security-added",
        "auth",
        set_in(lambda d: _op(d, "/healthz", "get"), security=[{"token": []}]),
        "api-security-added",
    ),
    pair("security-removed", "auth", set_in(login, security=[]), set(), "api-security-removed"),
    pair(
        "global-security-added",
        "auth",
        lambda d: d.__setitem__("security", [{"token": []}]),
        "api-global-security-added",
    ),
    pair(
        "security-alternative-added",
        "auth",
        set_in(login, security=[{"token": []}, {}]),
        set(),
        "api-security-removed",
    ),
    pair(
        "security-header-renamed",
        "auth",
        set_in(token_scheme, name="X-Token"),
        "api-security-component-location-changed",
    ),
    pair(
        "security-header-case-changed",
        "auth",
        set_in(token_scheme, name="authorization"),
        set(),
        "spec-changed",
    ),
    pair(
        "security-type-changed",
        "auth",
        lambda d: d["components"]["securitySchemes"].__setitem__(
            "token", {"type": "http", "scheme": "bearer"}
        ),
        "api-security-component-type-changed",
    ),
    pair(
        "security-scheme-description-edited",
        "auth",
        set_in(token_scheme, description="The token."),
        set(),
        "documentation-changed",
    ),
    # request: body
    pair(
        "required-body-property-added",
        "auth",
        set_in(
            body_schema,
            required=["device"],
            properties={"remember": {"type": "boolean"}, "device": {"type": "string"}},
        ),
        "new-required-request-property",
        base=body(),
    ),
    pair(
        "optional-body-property-added",
        "auth",
        set_in(body_schema, properties={"remember": {"type": "boolean"}, "device": {"type": "string"}}),
        set(),
        "new-optional-request-property",
        base=body(),
    ),
    pair(
        "body-property-became-required",
        "auth",
        set_in(body_schema, required=["remember"]),
        "request-property-became-required",
        base=body(),
    ),
    pair(
        "body-media-type-removed",
        "auth",
        lambda d: login(d)["requestBody"]["content"].pop("application/x-www-form-urlencoded"),
        "request-body-media-type-removed",
        base=body(),
    ),
    pair(
        "body-media-type-added",
        "auth",
        lambda d: login(d)["requestBody"]["content"].__setitem__(
            "text/plain", {"schema": {"type": "string"}}
        ),
        set(),
        "request-body-media-type-added",
        base=body(),
    ),
    pair(
        "body-became-required",
        "auth",
        set_in(lambda d: login(d)["requestBody"], required=True),
        "request-body-became-required",
        base=body(),
    ),
    pair(
        "body-property-enum-narrowed",
        "auth",
        set_in(lambda d: body_schema(d)["properties"]["remember"], enum=[True]),
        "request-property-became-enum",
        base=body(),
    ),
    # response: statuses
    pair(
        "login-429-added", "auth", add_response("/login/", "post", "429"), "response-non-success-status-added"
    ),
    pair(
        "login-429-covered-by-4xx",
        "auth",
        add_response("/login/", "post", "429"),
        set(),
        "response-non-success-status-added",
        base=add_response("/login/", "post", "4XX"),
    ),
    pair(
        "healthz-503-added",
        "auth",
        add_response("/healthz", "get", "503"),
        "response-non-success-status-added",
    ),
    pair(
        "success-status-removed",
        "auth",
        lambda d: _op(d, "/readyz", "get")["responses"].pop("200"),
        "response-success-status-removed",
    ),
    pair(
        "error-status-removed",
        "auth",
        lambda d: login(d)["responses"].pop("400"),
        set(),
        "response-non-success-status-removed",
    ),
    pair(
        "success-status-changed",
        "auth",
        lambda d: login(d)["responses"].__setitem__("201", login(d)["responses"].pop("200")),
        {"response-success-status-removed", "response-success-status-added"},
    ),
    # response: bodies
    pair(
        "required-property-removed",
        "auth",
        both(
            lambda d: _schema(d, "LoginResult")["properties"].pop("subject"),
            set_in(lambda d: _schema(d, "LoginResult"), required=[]),
        ),
        "response-required-property-removed",
    ),
    pair(
        "optional-property-removed",
        "auth",
        lambda d: _schema(d, "LoginResult")["properties"].pop("expires"),
        set(),
        "response-optional-property-removed",
        base=lambda d: _schema(d, "LoginResult")["properties"].__setitem__("expires", dict(expires)),
    ),
    pair(
        "property-became-optional",
        "auth",
        set_in(lambda d: _schema(d, "LoginResult"), required=[]),
        "response-property-became-optional",
    ),
    pair(
        "property-became-nullable",
        "auth",
        set_in(subject, type=["string", "null"]),
        "response-property-became-nullable",
    ),
    pair(
        "property-type-widened",
        "auth",
        set_in(lambda d: _schema(d, "Problem")["properties"]["status"], type=["integer", "string"]),
        "response-property-type-changed",
    ),
    pair(
        "property-type-narrowed",
        "auth",
        set_in(lambda d: _schema(d, "Problem")["properties"]["status"], type="integer"),
        set(),
        "response-property-type-specialized",
        base=set_in(lambda d: _schema(d, "Problem")["properties"]["status"], type="number"),
    ),
    pair(
        "enum-value-added",
        "auth",
        set_in(lambda d: _schema(d, "Health")["properties"]["status"], enum=["ok", "degraded"]),
        "response-property-enum-value-added",
    ),
    pair(
        "enum-value-removed",
        "auth",
        set_in(lambda d: _schema(d, "Health")["properties"]["status"], enum=["ok"]),
        set(),
        "response-property-enum-value-removed",
        base=set_in(lambda d: _schema(d, "Health")["properties"]["status"], enum=["ok", "degraded"]),
    ),
    pair(
        "property-added-to-closed-schema",
        "auth",
        lambda d: _schema(d, "LoginResult")["properties"].__setitem__("expires", dict(expires)),
        "response-closed-schema-property-added",
    ),
    pair(
        "property-added-to-open-schema",
        "auth",
        lambda d: _schema(d, "LoginResult")["properties"].__setitem__("expires", dict(expires)),
        set(),
        "response-optional-property-added",
        base=open_login_result,
    ),
    pair("closed-schema-opened", "auth", open_login_result, "response-additional-properties-allowed"),
    pair(
        "max-length-increased",
        "auth",
        set_in(subject, maxLength=128),
        "response-property-max-length-increased",
        base=set_in(subject, maxLength=64),
    ),
    pair(
        "max-length-decreased",
        "auth",
        set_in(subject, maxLength=32),
        set(),
        "response-property-max-length-decreased",
        base=set_in(subject, maxLength=64),
    ),
    pair("min-length-unset", "auth", set_in(subject, minLength=None), "response-property-min-length-unset"),
    # response: headers and media types
    pair(
        "required-header-removed",
        "auth",
        unauthorized_header("WWW-Authenticate", None),
        "required-response-header-removed",
    ),
    pair(
        "optional-header-removed",
        "auth",
        unauthorized_header("X-Trace", None),
        set(),
        "optional-response-header-removed",
        base=unauthorized_header("X-Trace", False),
    ),
    pair(
        "header-became-optional",
        "auth",
        unauthorized_header("WWW-Authenticate", False),
        "response-header-became-optional",
    ),
    pair(
        "header-pattern-removed",
        "auth",
        set_in(lambda d: d["components"]["headers"]["RequestId"]["schema"], pattern=None),
        "response-property-pattern-removed",
    ),
    pair("media-type-changed", "auth", rename_media, "response-media-type-name-changed"),
    pair("media-type-added", "auth", add_media, set(), "response-media-type-added"),
    pair(
        "info-503-example-edited",
        "info",
        set_in(
            lambda d: d["components"]["responses"]["AuthUnavailable"]["content"]["application/problem+json"][
                "examples"
            ]["timeout"]["value"],
            detail="Too slow.",
        ),
        set(),
        "documentation-changed",
    ),
    pair(
        "required-list-reordered",
        "auth",
        set_in(lambda d: _schema(d, "Problem"), required=["detail", "status", "title", "type"]),
        set(),
        "spec-changed",
    ),
]


def split_login_result(doc: dict[str, Any]) -> None:
    """The same schema, written as an allOf of a named part and the rest (a refactoring)."""
    schemas = doc["components"]["schemas"]
    result = schemas["LoginResult"]
    schemas["Subject"] = {"type": "object", "required": ["subject"], "properties": result.pop("properties")}
    result.pop("required")
    result["allOf"] = [{"$ref": "#/components/schemas/Subject"}]


PAIRS += [
    pair("schema-split-into-all-of", "auth", split_login_result, set(), "spec-changed"),
    pair(
        "required-removed-inside-all-of",
        "auth",
        lambda d: d["components"]["schemas"]["Subject"].pop("required"),
        "response-property-became-optional",
        base=split_login_result,
    ),
]


def roles(**schema: Any) -> Edit:
    """An array property in auth's LoginResult."""
    return lambda d: _schema(d, "LoginResult")["properties"].__setitem__(
        "roles", {"type": "array", "items": {"type": "string", "enum": ["admin", "user"]}, **schema}
    )


closed_body = both(body(), set_in(body_schema, additionalProperties=False))
nullable_login_result = set_in(
    lambda d: login_200_content(d)["application/json"],
    schema={"anyOf": [{"$ref": "#/components/schemas/LoginResult"}, {"type": "null"}]},
)

PAIRS += [
    pair("body-removed", "auth", lambda d: login(d).pop("requestBody"), "request-body-removed", base=body()),
    pair("required-body-added", "auth", body(required=True), "request-body-added-required"),
    pair("optional-body-added", "auth", body(required=False), set(), "request-body-added-optional"),
    pair(
        "body-property-removed-closed",
        "auth",
        lambda d: body_schema(d)["properties"].pop("remember"),
        "request-property-removed",
        base=closed_body,
    ),
    pair(
        "body-property-removed-open",
        "auth",
        lambda d: body_schema(d)["properties"].pop("remember"),
        set(),
        "request-property-removed",
        base=body(),
    ),
    pair(
        "security-scope-added",
        "auth",
        set_in(login, security=[{"token": ["admin"]}]),
        "api-security-scope-added",
    ),
    pair(
        "security-scheme-removed",
        "auth",
        lambda d: d["components"]["securitySchemes"].pop("token"),
        "api-security-component-removed",
    ),
    pair(
        "parameter-became-not-nullable",
        "info",
        set_in(q_schema("lang"), type="string"),
        "request-parameter-became-not-nullable",
        base=query("lang", type=["string", "null"]),
    ),
    pair("response-body-became-nullable", "auth", nullable_login_result, "response-body-became-nullable"),
    pair(
        "response-body-became-not-nullable",
        "auth",
        set_in(
            lambda d: login_200_content(d)["application/json"],
            schema={"$ref": "#/components/schemas/LoginResult"},
        ),
        set(),
        "response-body-became-not-nullable",
        base=nullable_login_result,
    ),
    pair(
        "media-type-removed",
        "auth",
        lambda d: login_200_content(d).pop("application/vnd.auth+json"),
        "response-media-type-removed",
        base=add_media,
    ),
    pair(
        "array-max-items-increased",
        "auth",
        lambda d: _schema(d, "LoginResult")["properties"]["roles"].update(maxItems=5),
        "response-property-max-items-increased",
        base=roles(maxItems=3),
    ),
    pair(
        "array-item-enum-value-added",
        "auth",
        lambda d: _schema(d, "LoginResult")["properties"]["roles"]["items"].update(
            enum=["admin", "user", "guest"]
        ),
        "response-property-enum-value-added",
        base=roles(),
    ),
    pair(
        "array-min-items-increased",
        "auth",
        lambda d: _schema(d, "LoginResult")["properties"]["roles"].update(minItems=2),
        set(),
        "response-property-min-items-increased",
        base=roles(minItems=1),
    ),
]


def _pair(case: Pair) -> tuple[Any, Any]:
    old = _real(case.spec)
    case.base(old)
    new = copy.deepcopy(old)
    case.edit(new)
    new["info"]["version"] = "9.0.0"
    where = service(case.spec).spec
    return parse(old, where), parse(new, where)


def test_the_corpus_is_large_enough() -> None:
    assert len(PAIRS) >= 30
    assert len({case.id for case in PAIRS}) == len(PAIRS)
    assert sum(bool(case.breaking) for case in PAIRS) >= 15
    assert sum(not case.breaking for case in PAIRS) >= 15


@pytest.mark.parametrize("case", PAIRS, ids=[case.id for case in PAIRS])
def test_pair(case: Pair) -> None:
    old, new = _pair(case)
    report = compare(old, new)
    assert {change.rule.id for change in report.breaking} == case.breaking, report.changes
    reported = {change.rule.id for change in report.changes}
    if case.rule:
        assert case.rule in reported
    else:
        assert reported == set(), report.changes
    for change in report.changes:
        assert change.location and change.message and change.why


def test_unchanged_real_specs_have_no_change() -> None:
    for name in ("auth", "info"):
        spec = parse(_real(name), CORPUS / f"{name}.yaml")
        report = compare(spec, spec)
        assert report.changes == [] and not report.changed


def test_the_429_on_login_breaks_info() -> None:
    """The hardening issue's 429 on POST /login/: info calls login, so it breaks info."""
    old, new = _pair(next(case for case in PAIRS if case.id == "login-429-added"))
    (change,) = compare(old, new).breaking
    assert change.location == "POST /login/ response 429"
    assert who(change, consumers_of("auth")) == "breaks info, which calls login (POST /login/)"


def test_a_503_on_healthz_breaks_only_outside_callers() -> None:
    old, new = _pair(next(case for case in PAIRS if case.id == "healthz-503-added"))
    (change,) = compare(old, new).breaking
    assert who(change, consumers_of("auth")) == "breaks only outside callers (info does not call it)"


def test_a_renamed_path_says_where_the_operation_went() -> None:
    old, new = _pair(next(case for case in PAIRS if case.id == "path-renamed"))
    (change,) = compare(old, new).breaking
    assert change.message == "removed the path /login/; login is now at POST /signin/"


def test_a_ref_into_another_file_is_resolved(tmp_path: Path) -> None:
    """`$ref`s to other files go through `referencing`, relative to the spec."""
    (tmp_path / "schemas.yaml").write_text(
        yaml.safe_dump(
            {"Health": {"type": "object", "required": ["status"], "properties": {"status": {"enum": ["ok"]}}}}
        )
    )
    old = _real("auth")
    old["components"]["schemas"]["Health"] = {"$ref": "schemas.yaml#/Health"}
    new = copy.deepcopy(old)
    (tmp_path / "schemas2.yaml").write_text(
        yaml.safe_dump(
            {
                "Health": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {"status": {"enum": ["ok", "x"]}},
                }
            }
        )
    )
    new["components"]["schemas"]["Health"] = {"$ref": "schemas2.yaml#/Health"}
    report = compare(parse(old, tmp_path / "old.yaml"), parse(new, tmp_path / "new.yaml"))
    assert {change.rule.id for change in report.breaking} == {"response-property-enum-value-added"}


@pytest.mark.parametrize("case", PAIRS, ids=[case.id for case in PAIRS])
def test_the_reverse_of_a_pair_is_judged_too(case: Pair) -> None:
    """NEW -> OLD: judged without a crash, every change located and explained."""
    old, new = _pair(case)
    report = compare(new, old)
    assert report.changed == compare(old, new).changed
    for change in report.changes:
        assert change.location and change.message and change.why


def test_two_different_specs_compare() -> None:
    auth, info = (parse(_real(name), service(name).spec) for name in ("auth", "info"))
    breaking = {change.rule.id for change in compare(auth, info).breaking}
    assert breaking == {"api-path-removed-without-deprecation", "response-non-success-status-added"}


def test_a_break_in_a_contract_nobody_registered_calls_breaks_outside_callers_only() -> None:
    old = parse(_real("info"), service("info").spec)
    new_document = _real("info")
    add_response("/info/", "get", "429")(new_document)
    (change,) = compare(old, parse(new_document, service("info").spec)).breaking
    assert consumers_of("info") == []
    assert who(change, []) == "breaks outside callers only (no registered service calls this contract)"


def test_a_change_to_the_servers_breaks_every_caller() -> None:
    old, new = _pair(next(case for case in PAIRS if case.id == "server-url-changed"))
    (change,) = compare(old, new).breaking
    assert who(change, consumers_of("auth")) == "every caller (it is not about one operation)"
