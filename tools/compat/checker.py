"""Comparing two versions of a contract: every change, with the rule it falls under.

A change is judged from the side of a caller written against OLD: on the request side (what the
caller sends) NEW must accept everything OLD accepted; on the response side (what it receives)
NEW must send nothing OLD did not announce.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import referencing.exceptions

from tools.compat.rules import RULES, Rule, schema_rule_id
from tools.compat.spec import HTTP_METHODS, Spec, SpecError

if TYPE_CHECKING:
    from referencing._core import Resolver

# Keywords no caller depends on: an edit to one of them is a documentation change.
_DOCUMENTATION = frozenset(
    {"description", "summary", "example", "examples", "title", "externalDocs", "tags", "deprecated"}
)
# Header parameters OpenAPI says to ignore (they are described elsewhere in the document).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# The limits a schema puts on a value, by oasdiff's name for them, in the order they are reported.
# `max` and `min` are the effective numeric range (`_range`); the others are one keyword each.
_BOUNDS = (
    "max-length",
    "min-length",
    "max",
    "min",
    "max-items",
    "min-items",
    "max-properties",
    "min-properties",
)
_LIMITS = {
    "maxLength": "max-length",
    "minLength": "min-length",
    "maxItems": "max-items",
    "minItems": "min-items",
    "maxProperties": "max-properties",
    "minProperties": "min-properties",
}
# Maps keyed by names the contract's author chose: an `x-` or `description` key there is a name
# (the `X-Rate-Limit` header, a `title` property, a schema called `description`), not an extension
# or documentation. From the OpenAPI 3.0/3.1 object tables: every field of Components (schemas,
# responses, parameters, examples, requestBodies, headers, securitySchemes, links, callbacks,
# pathItems: `_doc_edits` reads every child of `#/components` so), the maps of names elsewhere
# (a response's `headers` and `links`, a media type's `encoding`, `content` by media type, an
# operation's `callbacks`, a server's `variables`, 3.1's `webhooks`, a discriminator's `mapping`)
# and JSON Schema's (`properties`, `patternProperties`, `dependentRequired`, `dependentSchemas`,
# `$defs`, `definitions`). Not here: `paths`, `responses` and a Callback object, whose keys are
# paths, status codes or expressions and which also hold `x-` extensions; `scopes`, whose values
# are descriptions.
_NAMED = frozenset(
    {
        "headers",
        "properties",
        "patternProperties",
        "dependentRequired",
        "dependentSchemas",
        "$defs",
        "definitions",
        "content",
        "encoding",
        "links",
        "callbacks",
        "variables",
        "webhooks",
        "mapping",
    }
)
_ANY_PATTERN = frozenset({".*", "^.*$", "^.*", ".*$"})


@dataclass(frozen=True, slots=True)
class Operation:
    method: str  # "POST"
    path: str  # "/login/"
    operation_id: str | None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class Change:
    rule: Rule
    location: str  # "POST /login/ response 200 application/json #/properties/subject"
    message: str  # what changed
    operations: tuple[Operation, ...]  # the operations of OLD it touches
    breaking: bool
    note: str = ""  # why this one is (not) breaking when it differs from the rule's default

    @property
    def why(self) -> str:
        return self.note or self.rule.why


@dataclass
class Report:
    old: Spec
    new: Spec
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.breaking]

    @property
    def changed(self) -> bool:
        """Whether the documents differ at all, the version aside."""
        return _without_version(self.old.document) != _without_version(self.new.document)


def _without_version(document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "info": {k: v for k, v in document["info"].items() if k != "version"}}


# A node of a document together with the resolver its `$ref`s resolve against.
Node = tuple[Any, "Resolver"]


def _deref(node: Any, resolver: "Resolver") -> Node:
    """Follows `$ref` (chains too). A schema's sibling keywords (3.1) apply on top of the target."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        seen += 1
        if seen > 32:
            raise SpecError(f"a $ref cycle through {node['$ref']}")
        try:
            resolved = resolver.lookup(node["$ref"])
        except referencing.exceptions.Unresolvable as error:
            raise SpecError(f"cannot resolve $ref {node['$ref']!r} ({type(error).__name__})") from None
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        node, resolver = resolved.contents, resolved.resolver
        if siblings and isinstance(node, dict):
            node = {**node, **siblings}
    return node, resolver


def _normal_path(path: str) -> str:
    """`/users/{id}` and `/users/{user_id}` are one path to a caller."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True, slots=True)
class _Op:
    """An operation object, with what it needs from around it: its path, the path's parameters
    and the resolver its `$ref`s resolve against."""

    node: dict[str, Any]
    path: str
    path_parameters: list[Any]
    resolver: "Resolver"

    def get(self, key: str, default: Any = None) -> Any:
        return self.node.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.node

    def __getitem__(self, key: str) -> Any:
        return self.node[key]


# `true` (or no schema) and `false`, one object each: the recursion guard knows them by identity.
_ANY: dict[str, Any] = {}
_NEVER: dict[str, Any] = {"not": {}}


class _Schema:
    """What a caller can observe of a schema, `allOf` merged, nullability split out."""

    def __init__(self, node: Any, resolver: "Resolver") -> None:
        node, resolver = _deref(node, resolver)
        if not isinstance(node, dict):
            node = _ANY if node is True or node is None else _NEVER
        self.node, self.resolver = node, resolver
        self.never = node.get("not") in ({}, True)  # `false`: no value is valid
        self.nullable = bool(node.get("nullable"))
        variants = node.get("anyOf", node.get("oneOf"))
        merged: dict[str, Any] = {k: v for k, v in node.items() if k not in ("allOf", "anyOf", "oneOf")}
        self.properties: dict[str, Node] = {}
        self.required: set[str] = set()
        self.keywords: dict[str, Any] = {}
        for part in node.get("allOf", []):
            sub = _Schema(part, resolver)
            self.properties.update(sub.properties)
            self.required |= sub.required
            for keyword, value in sub.keywords.items():
                if keyword not in ("properties", "required"):  # merged above, each with its resolver
                    merged.setdefault(keyword, value)
            self.nullable = self.nullable and sub.nullable
            self.never = self.never or sub.never
        self.variants: list[Node] = []
        if isinstance(variants, list):
            for variant in variants:
                target, _ = _deref(variant, resolver)
                if isinstance(target, dict) and target.get("type") == "null":
                    self.nullable = True
                else:
                    self.variants.append((variant, resolver))
        if len(self.variants) == 1:  # `anyOf: [X, {type: null}]`: X, nullable
            sub = _Schema(*self.variants[0])
            self.properties.update(sub.properties)
            self.required |= sub.required
            for keyword, value in sub.keywords.items():
                if keyword not in ("properties", "required"):  # merged above, each with its resolver
                    merged.setdefault(keyword, value)
            self.variants = []
        self.keywords = merged
        for name, schema in (merged.get("properties") or {}).items():
            self.properties[name] = (schema, resolver)
        self.required |= set(merged.get("required") or [])
        self.never = self.never or merged.get("enum") == []  # no value is in an empty list
        declared = merged.get("type")
        types = {declared} if isinstance(declared, str) else set(declared) if declared else None
        if types is not None and "null" in types:
            self.nullable = True
            types.discard("null")
        self.types = set() if self.never else types  # None: any type; empty: none
        if "const" in merged:
            self.enum: dict[str, Any] | None = {_key(merged["const"]): merged["const"]}
        elif isinstance(merged.get("enum"), list):
            self.enum = {_key(v): v for v in merged["enum"] if v is not None}
            self.nullable = self.nullable or None in merged["enum"]
        else:
            self.enum = None
        self.pattern = merged.get("pattern")
        self.bounds = _bounds(merged)
        # Absent (None), `items` and `additionalProperties` allow any value (JSON Schema's default).
        additional = merged.get("additionalProperties")
        self.closed = additional is False or merged.get("unevaluatedProperties") is False
        self.additional: Node = (additional, resolver)
        self.patterns: dict[str, Node] = {
            str(p): (schema, resolver) for p, schema in (merged.get("patternProperties") or {}).items()
        }
        # The items after `prefixItems` (3.1 tuples): `items`, else `unevaluatedItems` where no
        # `anyOf`/`oneOf` alternative could evaluate them instead.
        rest = "items" if "items" in merged or self.variants else "unevaluatedItems"
        self.items: Node = (merged.get(rest), resolver)
        self.prefix: list[Node] = [(schema, resolver) for schema in merged.get("prefixItems") or []]

    def governing(self, name: str) -> Node:
        """The schema a property `name` that `properties` does not list must match in an open
        schema: the first `patternProperties` entry whose pattern it matches, else
        `additionalProperties`."""
        for pattern, schema in self.patterns.items():
            try:
                if re.search(pattern, name):
                    return schema
            except re.error:  # an ECMA-262 pattern Python cannot read: not judged
                continue
        return self.additional


# A limit on a value: the keyword that sets it and its value, `("exclusiveMaximum", 10)`.
Bound = tuple[str, Any]


def _bounds(keywords: dict[str, Any]) -> dict[str, Bound]:
    """A schema's limits, by oasdiff's name for them (`max-length`, `max`...)."""
    found = {
        name: (keyword, keywords[keyword])
        for keyword, name in _LIMITS.items()
        if keywords.get(keyword) is not None
    }
    for name, inclusive, exclusive in (
        ("max", "maximum", "exclusiveMaximum"),
        ("min", "minimum", "exclusiveMinimum"),
    ):
        bound = _range(keywords, inclusive, exclusive, upper=name == "max")
        if bound is not None:
            found[name] = bound
    return found


def _range(keywords: dict[str, Any], inclusive: str, exclusive: str, upper: bool) -> Bound | None:
    """The effective `maximum` (upper) or `minimum`. OpenAPI 3.0's boolean `exclusiveMaximum: true`
    makes `maximum` exclusive; 3.1's numeric `exclusiveMaximum` is a bound of its own, and with
    both the tighter holds. So a switch between the two styles that keeps the bound is no change."""
    limit, strict = keywords.get(inclusive), keywords.get(exclusive)
    bounds = []
    if limit is not None:
        bounds.append((exclusive if strict is True else inclusive, limit))
    if strict is not None and not isinstance(strict, bool):
        bounds.append((exclusive, strict))
    tightest = min if upper else max
    return tightest(bounds, key=lambda bound: _rank(bound, upper)) if bounds else None


def _rank(bound: Bound, upper: bool) -> tuple[Any, bool]:
    """Orders bounds by the values they let through: an exclusive maximum lets fewer through than
    an inclusive one at the same value; an exclusive minimum lets fewer through at the bottom."""
    keyword, value = bound
    return value, upper != keyword.startswith("exclusive")


def _declared(keyword: str, *schemas: _Schema) -> bool:
    """Whether one of the schemas says `keyword`: two that leave it out agree on it."""
    return any(keyword in schema.keywords for schema in schemas)


def _covers(wide: set[str] | None, narrow: set[str] | None) -> bool:
    """Whether every value of type `narrow` is a value of type `wide` (None is any type)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _bound_change(name: str, before: Bound | None, after: Bound | None) -> tuple[str, str]:
    """The rule suffix (`max-set`, `min-length-increased`...) and the message for a limit that
    changed. A bound that moved keeps its keyword in the message when the keyword is the same."""
    if before is None:
        assert after is not None  # the limits differ
        return f"{name}-set", f"{after[0]} set to {after[1]}"
    if after is None:
        return f"{name}-unset", f"{before[0]} {before[1]} removed"
    upper = name.startswith("max")
    direction = "increased" if _rank(after, upper) > _rank(before, upper) else "decreased"
    shown = after[1] if after[0] == before[0] else f"{after[0]} {after[1]}"
    return f"{name}-{direction}", f"{before[0]} {before[1]} is now {shown}"


def _show_types(types: set[str] | None) -> str:
    return "any" if types is None else "/".join(sorted(types)) or "false (no value)"


def _may_be(kind: str, schema: _Schema) -> bool:
    """Whether a value of the schema may be of JSON type `kind`. `items` constrains arrays only,
    `additionalProperties` objects only: they matter where both sides may be one (a change of
    type is reported as such)."""
    return schema.types is None or kind in schema.types


class _Diff:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def add(
        self,
        rule_id: str,
        location: str,
        message: str,
        operations: tuple[Operation, ...],
        breaking: bool | None = None,
        note: str = "",
    ) -> None:
        rule = RULES[rule_id]
        verdict = rule.breaking if breaking is None else breaking
        self.changes.append(Change(rule, location, message, operations, verdict, note))

    # --- the document ---------------------------------------------------------------------------
    def run(self) -> None:
        self.servers()
        old_ops, new_ops = self.operations(self.old), self.operations(self.new)
        new_paths = {_normal_path(path) for (_, path) in new_ops.values()}
        new_ids = {op.get("operationId"): (method, path) for (method, _), (op, path) in new_ops.items()}
        for key, (op, path) in old_ops.items():
            operation = Operation(key[0].upper(), path, op.get("operationId"))
            where = (operation,)
            if key not in new_ops:
                moved = new_ids.get(op.get("operationId")) if op.get("operationId") else None
                renamed = (
                    f"; {operation.operation_id} is now at {moved[0].upper()} {moved[1]}" if moved else ""
                )
                if key[1] in new_paths:
                    self.add(
                        "api-removed-without-deprecation",
                        str(operation),
                        f"removed {operation}{renamed}",
                        where,
                    )
                else:
                    self.add(
                        "api-path-removed-without-deprecation",
                        str(operation),
                        f"removed the path {path}{renamed}",
                        where,
                    )
                continue
            self.operation(operation, old_ops[key], new_ops[key])
        for key, (op, path) in new_ops.items():
            if key not in old_ops:
                operation = Operation(key[0].upper(), path, op.get("operationId"))
                self.add("endpoint-added", str(operation), f"added {operation}", ())
        self.security_schemes(old_ops)
        self.documentation()

    def servers(self) -> None:
        def urls(spec: Spec) -> list[str]:
            servers = spec.document.get("servers") or [{"url": "/"}]
            return [str(s.get("url", "/")).rstrip("/") or "/" for s in servers if isinstance(s, dict)]

        old, new = urls(self.old), urls(self.new)
        for url in old:
            if url not in new:
                self.add("api-server-url-changed", "servers", f"server {url} is now {', '.join(new)}", ())
        for url in new:
            if url not in old:
                self.add("api-server-added", "servers", f"added the server {url}", ())

    @staticmethod
    def operations(spec: Spec) -> dict[tuple[str, str], tuple["_Op", str]]:
        """(method, normalised path) -> (the operation with its path's parameters, the path)."""
        found = {}
        for path, item in spec.document.get("paths", {}).items():
            item, resolver = _deref(item, spec.resolver)
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    op = _Op(item[method], path, item.get("parameters") or [], resolver)
                    found[(method, _normal_path(path))] = (op, path)
        return found

    # --- an operation present in both -------------------------------------------------------
    def operation(self, operation: Operation, old: tuple["_Op", str], new: tuple["_Op", str]) -> None:
        old_op, new_op = old[0], new[0]
        where = (operation,)
        old_id, new_id = old_op.get("operationId"), new_op.get("operationId")
        if old_id != new_id:
            if old_id is None:
                self.add("api-operation-id-added", str(operation), f"added the operationId {new_id}", where)
            else:
                self.add(
                    "api-operation-id-removed", str(operation), f"operationId {old_id} is now {new_id}", where
                )
        self.tags(operation, old_op, new_op)
        self.security(operation, old_op, new_op)
        self.parameters(operation, old_op, new_op)
        self.request_body(operation, old_op, new_op)
        self.responses(operation, old_op, new_op)

    def tags(self, operation: Operation, old_op: "_Op", new_op: "_Op") -> None:
        """openapi-python-client files an operation's module under its first tag (`api/<tag>/`):
        changing that tag moves the module, and code that imports it no longer does."""
        old, new = list(old_op.get("tags") or []), list(new_op.get("tags") or [])
        if old == new:
            return
        where = (operation,)
        first_old, first_new = (old or ["default"])[0], (new or ["default"])[0]
        moved = first_old != first_new
        note = f"the generated client's module moves from api/{first_old}/ to api/{first_new}/"
        for tag in old:
            if tag not in new:
                self.add(
                    "api-tag-removed",
                    f"{operation} tags",
                    f"removed the tag {tag}",
                    where,
                    breaking=moved,
                    note=note if moved else "",
                )
                moved = False  # said once
        for tag in new:
            if tag not in old:
                self.add(
                    "api-tag-added",
                    f"{operation} tags",
                    f"added the tag {tag}",
                    where,
                    breaking=moved,
                    note=note if moved else "",
                )
                moved = False
        if moved:  # the same tags, in another order
            self.add(
                "api-tag-added",
                f"{operation} tags",
                f"{first_new} is now the first tag",
                where,
                breaking=True,
                note=note,
            )

    # --- security -----------------------------------------------------------------------------
    @staticmethod
    def requirements(spec: Spec, op: "_Op") -> tuple[list[dict[str, frozenset[str]]], bool]:
        """The operation's alternatives (scheme -> scopes), and whether they are its own."""
        own = "security" in op
        alternatives = op["security"] if own else spec.document.get("security") or []
        return [
            {name: frozenset(scopes or ()) for name, scopes in alternative.items()}
            for alternative in alternatives
            if isinstance(alternative, dict)
        ], own

    def security(self, operation: Operation, old_op: "_Op", new_op: "_Op") -> None:
        old, _ = self.requirements(self.old, old_op)
        new, new_own = self.requirements(self.new, new_op)
        old_open = not old or {} in old
        new_open = not new or {} in new
        where = (operation,)
        location = f"{operation} security"

        def satisfies(held: dict[str, frozenset[str]], wanted: dict[str, frozenset[str]]) -> bool:
            return all(name in held and scopes <= held[name] for name, scopes in wanted.items())

        def show(alternatives: list[dict[str, frozenset[str]]]) -> str:
            if not alternatives or {} in alternatives:
                return "none"
            return " or ".join(
                " and ".join(f"{name}{sorted(scopes) if scopes else ''}" for name, scopes in alt.items())
                for alt in alternatives
            )

        if old == new:
            return
        message = f"security {show(old)} is now {show(new)}"
        if new_open:
            self.add("api-security-removed", location, message, where)
        elif old_open:
            rule = "api-security-added" if new_own else "api-global-security-added"
            self.add(rule, location, message, where)
        elif all(any(satisfies(held, wanted) for wanted in new) for held in old):
            self.add(
                "api-security-updated",
                location,
                message,
                where,
                breaking=False,
                note="every caller that met the old requirement meets the new one",
            )
        elif [set(a) for a in old] == [set(a) for a in new]:
            self.add("api-security-scope-added", location, message, where)
        else:
            self.add("api-security-updated", location, message, where)

    def security_schemes(self, old_ops: dict[tuple[str, str], tuple["_Op", str]]) -> None:
        users: dict[str, list[Operation]] = {}
        for (method, _), (op, path) in old_ops.items():
            for alternative in self.requirements(self.old, op)[0]:
                for name in alternative:
                    users.setdefault(name, []).append(Operation(method.upper(), path, op.get("operationId")))

        def schemes(spec: Spec) -> dict[str, Any]:
            return (spec.document.get("components") or {}).get("securitySchemes") or {}

        old_schemes, new_schemes = schemes(self.old), schemes(self.new)
        for name, ops in users.items():
            location = f"components/securitySchemes/{name}"
            if name not in old_schemes:
                continue
            old, _ = _deref(old_schemes[name], self.old.resolver)
            if name not in new_schemes:
                self.add(
                    "api-security-component-removed",
                    location,
                    f"removed the security scheme {name}",
                    tuple(ops),
                )
                continue
            new, _ = _deref(new_schemes[name], self.new.resolver)
            for keyword in ("type", "scheme"):  # apiKey/http/oauth2..., and http's basic/bearer
                before, after = old.get(keyword), new.get(keyword)
                if keyword == "scheme" and isinstance(before, str) and isinstance(after, str):
                    before, after = before.lower(), after.lower()  # HTTP auth schemes ignore case
                if before != after:
                    self.add(
                        "api-security-component-type-changed",
                        location,
                        f"{keyword} {before} is now {after}",
                        tuple(ops),
                    )
            if old.get("type") == new.get("type") == "apiKey":
                before = (old.get("in"), str(old.get("name", "")))
                after = (new.get("in"), str(new.get("name", "")))
                if before[0] == after[0] == "header":  # header names ignore case
                    before, after = (before[0], before[1].lower()), (after[0], after[1].lower())
                if before != after:
                    self.add(
                        "api-security-component-location-changed",
                        location,
                        f"the key goes in {old.get('in')} {old.get('name')}, "
                        f"now in {new.get('in')} {new.get('name')}",
                        tuple(ops),
                    )

    # --- request: parameters ------------------------------------------------------------------
    @staticmethod
    def params(op: "_Op") -> dict[tuple[str, str], Node]:
        found: dict[tuple[str, str], Node] = {}
        own = (op.get("parameters") or [], op.resolver)
        for group, resolver in (
            (op.path_parameters, op.resolver),
            own,
        ):  # the operation's override its path's
            for parameter in group:
                parameter, at = _deref(parameter, resolver)
                if not isinstance(parameter, dict) or "name" not in parameter:
                    continue
                place, name = parameter.get("in", "query"), str(parameter["name"])
                if place == "path":  # a path parameter is its place in the path, whatever its name
                    names = re.findall(r"\{([^}]*)\}", op.path)
                    name = f"{{{names.index(name)}}}" if name in names else name
                if place == "header":
                    name = name.lower()
                    if name in _IGNORED_HEADERS:
                        continue
                found[(place, name)] = (parameter, at)
        return found

    def parameters(self, operation: Operation, old_op: "_Op", new_op: "_Op") -> None:
        old, new = self.params(old_op), self.params(new_op)
        where = (operation,)
        for key, (parameter, _) in new.items():
            if key in old:
                continue
            location = f"{operation} {key[0]} parameter {parameter['name']}"
            if key[0] == "path":
                self.add(
                    "new-request-path-parameter",
                    location,
                    f"added the path parameter {parameter['name']}",
                    where,
                )
            elif parameter.get("required"):
                self.add(
                    "new-required-request-parameter",
                    location,
                    f"added the required {key[0]} parameter {parameter['name']}",
                    where,
                )
            else:
                self.add(
                    "new-optional-request-parameter",
                    location,
                    f"added the optional {key[0]} parameter {parameter['name']}",
                    where,
                )
        for key, (parameter, resolver) in old.items():
            location = f"{operation} {key[0]} parameter {parameter['name']}"
            if key not in new:
                self.add(
                    "request-parameter-removed",
                    location,
                    f"removed the {key[0]} parameter {parameter['name']}",
                    where,
                )
                continue
            after, after_resolver = new[key]
            required_before = bool(parameter.get("required")) or key[0] == "path"
            required_after = bool(after.get("required")) or key[0] == "path"
            if required_after and not required_before:
                self.add("request-parameter-became-required", location, "optional is now required", where)
            elif required_before and not required_after:
                self.add("request-parameter-became-optional", location, "required is now optional", where)
            if "schema" in parameter or "schema" in after:
                self.schema(
                    "request",
                    "request-parameter",
                    location,
                    where,
                    (parameter.get("schema", {}), resolver),
                    (after.get("schema", {}), after_resolver),
                )

    # --- request: body ------------------------------------------------------------------------
    def request_body(self, operation: Operation, old_op: "_Op", new_op: "_Op") -> None:
        where = (operation,)
        location = f"{operation} request body"
        old = _deref(old_op["requestBody"], old_op.resolver) if "requestBody" in old_op else None
        new = _deref(new_op["requestBody"], new_op.resolver) if "requestBody" in new_op else None
        if old is None and new is None:
            return
        if old is None:
            assert new is not None
            rule = "request-body-added-required" if new[0].get("required") else "request-body-added-optional"
            self.add(rule, location, "added a request body", where)
            return
        if new is None:
            self.add("request-body-removed", location, "removed the request body", where)
            return
        (old_body, old_resolver), (new_body, new_resolver) = old, new
        if new_body.get("required") and not old_body.get("required"):
            self.add("request-body-became-required", location, "optional is now required", where)
        elif old_body.get("required") and not new_body.get("required"):
            self.add("request-body-became-optional", location, "required is now optional", where)
        old_content, new_content = old_body.get("content") or {}, new_body.get("content") or {}
        for media in old_content:
            if media not in new_content:
                self.add(
                    "request-body-media-type-removed",
                    f"{location} {media}",
                    f"removed the media type {media}",
                    where,
                )
            else:
                self.schema(
                    "request",
                    "request-body",
                    f"{location} {media}",
                    where,
                    (old_content[media].get("schema", {}), old_resolver),
                    (new_content[media].get("schema", {}), new_resolver),
                )
        for media in new_content:
            if media not in old_content:
                self.add(
                    "request-body-media-type-added",
                    f"{location} {media}",
                    f"added the media type {media}",
                    where,
                )

    # --- responses ----------------------------------------------------------------------------
    def responses(self, operation: Operation, old_op: "_Op", new_op: "_Op") -> None:
        where = (operation,)
        old, new = old_op.get("responses") or {}, new_op.get("responses") or {}
        # status codes; `x-` keys are extensions (the Responses object allows them)
        old, new = (
            {str(k).upper(): v for k, v in r.items() if not str(k).startswith("x-")} for r in (old, new)
        )
        for status in old:
            if status not in new:
                success = status.startswith("2")
                rule = "response-success-status-removed" if success else "response-non-success-status-removed"
                self.add(rule, f"{operation} response {status}", f"removed the response {status}", where)
        for status in new:
            if status in old:
                continue
            rule = (
                "response-success-status-added"
                if status.startswith("2")
                else "response-non-success-status-added"
            )
            cover = next((c for c in (f"{status[0]}XX", "DEFAULT") if c in old and c != status), None)
            if cover:
                self.add(
                    rule,
                    f"{operation} response {status}",
                    f"added the response {status}",
                    where,
                    breaking=False,
                    note=f"the old contract already announced it as {cover.lower()}",
                )
            else:
                self.add(rule, f"{operation} response {status}", f"added the response {status}", where)
        for status in old:
            if status in new:
                self.response(
                    operation,
                    status,
                    _deref(old[status], old_op.resolver),
                    _deref(new[status], new_op.resolver),
                )

    def response(self, operation: Operation, status: str, old: Node, new: Node) -> None:
        (old_response, old_resolver), (new_response, new_resolver) = old, new
        where = (operation,)
        location = f"{operation} response {status}"
        old_headers = {k.lower(): (k, v) for k, v in (old_response.get("headers") or {}).items()}
        new_headers = {k.lower(): (k, v) for k, v in (new_response.get("headers") or {}).items()}
        for key, (name, header) in old_headers.items():
            header, header_resolver = _deref(header, old_resolver)
            at = f"{location} header {name}"
            if key not in new_headers:
                rule = (
                    "required-response-header-removed"
                    if header.get("required")
                    else "optional-response-header-removed"
                )
                self.add(rule, at, f"removed the header {name}", where)
                continue
            after, after_resolver = _deref(new_headers[key][1], new_resolver)
            if header.get("required") and not after.get("required"):
                self.add("response-header-became-optional", at, "required is now optional", where)
            if "schema" in header or "schema" in after:
                self.schema(
                    "response",
                    "response-header",
                    at,
                    where,
                    (header.get("schema", {}), header_resolver),
                    (after.get("schema", {}), after_resolver),
                )
        for key, (name, _) in new_headers.items():
            if key not in old_headers:
                self.add(
                    "response-header-added", f"{location} header {name}", f"added the header {name}", where
                )
        old_content, new_content = old_response.get("content") or {}, new_response.get("content") or {}
        removed = [m for m in old_content if m not in new_content]
        added = [m for m in new_content if m not in old_content]
        if len(removed) == 1 and len(added) == 1:
            self.add(
                "response-media-type-name-changed",
                f"{location} {removed[0]}",
                f"media type {removed[0]} is now {added[0]}",
                where,
            )
        else:
            for media in removed:
                self.add(
                    "response-media-type-removed",
                    f"{location} {media}",
                    f"removed the media type {media}",
                    where,
                )
            for media in added:
                self.add(
                    "response-media-type-added", f"{location} {media}", f"added the media type {media}", where
                )
        for media in old_content:
            if media in new_content:
                self.schema(
                    "response",
                    "response-body",
                    f"{location} {media}",
                    where,
                    ((old_content[media] or {}).get("schema", {}), old_resolver),
                    ((new_content[media] or {}).get("schema", {}), new_resolver),
                )

    # --- schemas ------------------------------------------------------------------------------
    def schema(
        self,
        side: str,
        stem: str,
        location: str,
        where: tuple[Operation, ...],
        old: Node,
        new: Node,
        pointer: str = "#",
        seen: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        """Compares two schemas. The request side breaks when NEW accepts less; the response side
        breaks when NEW may send more."""
        a, b = _Schema(*old), _Schema(*new)
        if (id(a.node), id(b.node)) in seen or len(seen) > 64:  # a recursive schema: compared once
            return
        seen = seen | {(id(a.node), id(b.node))}
        at = f"{location} {pointer}" if pointer != "#" else location
        request = side == "request"

        def add(suffix: str, message: str, breaking: bool | None = None, note: str = "") -> None:
            self.add(schema_rule_id(stem, suffix), at, message, where, breaking, note)

        # types
        if a.types != b.types:
            message = f"type {_show_types(a.types)} is now {_show_types(b.types)}"
            if request:
                add("type-generalized" if _covers(b.types, a.types) else "type-changed", message)
            else:
                add("type-specialized" if _covers(a.types, b.types) else "type-changed", message)
        if a.never or b.never:  # `false` lets no value through: nothing else about it matters
            return
        if a.nullable != b.nullable:
            add(
                "became-nullable" if b.nullable else "became-not-nullable",
                "now accepts null" if b.nullable else "no longer accepts null",
            )
        # enums
        if a.enum != b.enum:
            if b.enum is not None and a.enum is None:
                rule = "became-enum" if request else "enum-value-removed"
                add(rule, f"restricted to {sorted(b.enum)}")
            elif a.enum is not None and b.enum is None:
                add("enum-value-added", f"no longer restricted to {sorted(a.enum)}: any value")
            else:
                assert a.enum is not None and b.enum is not None
                for value in sorted(set(a.enum) - set(b.enum)):
                    add("enum-value-removed", f"removed the enum value {value}")
                for value in sorted(set(b.enum) - set(a.enum)):
                    add("enum-value-added", f"added the enum value {value}")
        # patterns
        if a.pattern != b.pattern:
            if a.pattern is None:
                add("pattern-added", f"added the pattern {b.pattern!r}")
            elif b.pattern is None:
                add("pattern-removed", f"removed the pattern {a.pattern!r}")
            elif request and b.pattern in _ANY_PATTERN:
                add("pattern-generalized", f"pattern {a.pattern!r} is now {b.pattern!r}")
            else:
                add("pattern-changed", f"pattern {a.pattern!r} is now {b.pattern!r}")
        # ranges
        for name in _BOUNDS:
            before, after = a.bounds.get(name), b.bounds.get(name)
            if before != after:
                add(*_bound_change(name, before, after))
        # object properties
        self.properties(side, a, b, add, location, where, pointer, seen)
        arrays = _may_be("array", a) and _may_be("array", b)
        if _declared("prefixItems", a, b) and arrays:  # a tuple, position by position
            for index in range(max(len(a.prefix), len(b.prefix))):
                before = a.prefix[index] if index < len(a.prefix) else a.items
                after = b.prefix[index] if index < len(b.prefix) else b.items
                self.schema(
                    side, stem, location, where, before, after, f"{pointer}/prefixItems/{index}", seen
                )
        if _declared("items", a, b) and arrays:
            self.schema(side, stem, location, where, a.items, b.items, f"{pointer}/items", seen)
        elif _declared("unevaluatedItems", a, b) and arrays:
            self.schema(side, stem, location, where, a.items, b.items, f"{pointer}/unevaluatedItems", seen)
        objects = _may_be("object", a) and _may_be("object", b)
        if objects:
            self.objects(side, stem, location, where, a, b, pointer, seen)
        open_objects = objects and not (a.closed or b.closed)
        if _declared("additionalProperties", a, b) and open_objects:
            self.schema(
                side,
                stem,
                location,
                where,
                a.additional,
                b.additional,
                f"{pointer}/additionalProperties",
                seen,
            )
        if len(a.variants) == len(b.variants):
            for index, (before, after) in enumerate(zip(a.variants, b.variants, strict=True)):
                self.schema(side, stem, location, where, before, after, f"{pointer}/anyOf/{index}", seen)
        elif (len(b.variants) > len(a.variants)) != request:  # response gets more, request takes fewer
            add("type-changed", f"{len(a.variants)} alternatives (anyOf/oneOf) are now {len(b.variants)}")
        else:
            add(
                "type-generalized" if request else "type-specialized",
                f"{len(a.variants)} alternatives (anyOf/oneOf) are now {len(b.variants)}",
            )

    def objects(
        self,
        side: str,
        stem: str,
        location: str,
        where: tuple[Operation, ...],
        a: _Schema,
        b: _Schema,
        pointer: str,
        seen: frozenset[tuple[int, int]],
    ) -> None:
        """What an object schema says beyond `properties`: `patternProperties` (each pattern's
        schema compared with what held for those names before: another pattern,
        `additionalProperties`, or `false` in a closed schema), `propertyNames` (a schema on the
        names, strings), `dependentRequired` and `dependentSchemas`."""
        for pattern in sorted(a.patterns.keys() | b.patterns.keys()):
            before = a.patterns.get(pattern) or ((False, a.resolver) if a.closed else a.additional)
            after = b.patterns.get(pattern) or ((False, b.resolver) if b.closed else b.additional)
            at = f"{pointer}/patternProperties/{_escape(pattern)}"
            self.schema(side, f"{side}-property", location, where, before, after, at, seen)
        if _declared("propertyNames", a, b):
            before, after = (
                ({"type": "string", "allOf": [s.keywords.get("propertyNames")]}, s.resolver) for s in (a, b)
            )
            at = f"{pointer}/propertyNames"
            self.schema(side, f"{side}-property", location, where, before, after, at, seen)
        old, new = (s.keywords.get("dependentRequired") or {} for s in (a, b))
        for name in sorted(old.keys() | new.keys()):
            at = f"{location} {pointer}/dependentRequired/{_escape(name)}"
            had, has = set(old.get(name) or []), set(new.get(name) or [])
            for other in sorted(has - had):
                message = f"{other} is now required when {name} is present"
                self.add(schema_rule_id(stem, "dependent-required-added"), at, message, where)
            for other in sorted(had - has):
                message = f"{other} is no longer required when {name} is present"
                self.add(schema_rule_id(stem, "dependent-required-removed"), at, message, where)
        old, new = (s.keywords.get("dependentSchemas") or {} for s in (a, b))
        for name in sorted(old.keys() | new.keys()):
            before, after = (old.get(name), a.resolver), (new.get(name), b.resolver)
            at = f"{pointer}/dependentSchemas/{_escape(name)}"
            self.schema(side, stem, location, where, before, after, at, seen)

    def properties(
        self,
        side: str,
        a: _Schema,
        b: _Schema,
        add: Any,
        location: str,
        where: tuple[Operation, ...],
        pointer: str,
        seen: frozenset[tuple[int, int]],
    ) -> None:
        request = side == "request"
        stem = "request-property" if request else "response-property"

        def emit(rule: str, name: str, message: str, breaking: bool | None = None, note: str = "") -> None:
            self.add(rule, f"{location} {pointer}/properties/{name}", message, where, breaking, note)

        for name in b.properties:
            if name in a.properties:
                continue
            required = name in b.required
            if request and not a.closed and _Schema(*b.properties[name]).never:
                # `false`: callers may no longer send a name the old schema let through
                before, after = a.governing(name), b.properties[name]
                at = f"{pointer}/properties/{name}"
                self.schema(side, stem, location, where, before, after, at, seen)
            elif request:
                emit(
                    "new-required-request-property" if required else "new-optional-request-property",
                    name,
                    f"added the {'required' if required else 'optional'} property {name}",
                )
            elif a.closed:
                emit("response-closed-schema-property-added", name, f"added the property {name}")
            else:
                emit(
                    "response-required-property-added" if required else "response-optional-property-added",
                    name,
                    f"added the {'required' if required else 'optional'} property {name}",
                )
        for name, schema in a.properties.items():
            if name not in b.properties:
                if request and _Schema(*schema).never:  # callers could not send it
                    emit(
                        "request-property-removed",
                        name,
                        f"removed the property {name}",
                        False,
                        "it was false",
                    )
                elif request:
                    emit(
                        "request-property-removed",
                        name,
                        f"removed the property {name}",
                        breaking=b.closed,
                        note="" if b.closed else "the schema still accepts unknown properties",
                    )
                else:
                    required = name in a.required
                    rule = (
                        "response-required-property-removed"
                        if required
                        else "response-optional-property-removed"
                    )
                    emit(rule, name, f"removed the {'required' if required else 'optional'} property {name}")
                continue
            if (name in a.required) != (name in b.required):
                became = "required" if name in b.required else "optional"
                emit(
                    f"{'request' if request else 'response'}-property-became-{became}",
                    name,
                    f"became {became}",
                )
            self.schema(
                side, stem, location, where, schema, b.properties[name], f"{pointer}/properties/{name}", seen
            )
        for name in sorted((a.required ^ b.required) - a.properties.keys() - b.properties.keys()):
            # required without a schema of its own (in `dependentSchemas`, say): a name callers
            # must now send, or may now miss
            became = "required" if name in b.required else "optional"
            self.add(
                f"{side}-property-became-{became}",
                f"{location} {pointer}/required/{_escape(name)}",
                f"{name} became {became}",
                where,
            )
        if a.closed != b.closed:
            self.add(
                f"{side}-additional-properties-{'disallowed' if b.closed else 'allowed'}",
                f"{location} {pointer}",
                "additionalProperties: false was " + ("added" if b.closed else "removed"),
                where,
            )

    # --- documentation ------------------------------------------------------------------------
    def documentation(self) -> None:
        """Edits no caller can observe, listed so that the changelog covers every change."""
        places = sorted(set(_doc_edits(self.old.document, self.new.document, "#")))
        if places:
            self.add("documentation-changed", "documentation", _places(places), ())
        elif not self.changes and _without_version(self.old.document) != _without_version(self.new.document):
            places = sorted(set(_edits(self.old.document, self.new.document, "#")))
            self.add("spec-changed", "document", _places(places), ())


def _places(places: list[str]) -> str:
    shown = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
    return f"{len(places)} place{'s' if len(places) > 1 else ''}: {shown}"


def _escape(key: Any) -> str:
    """A key as a JSON pointer writes it."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _edits(old: Any, new: Any, pointer: str) -> Iterator[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old.keys() | new.keys():
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if pointer == "#/info" and key == "version":
                continue
            yield from _edits(old.get(key), new.get(key), here) if key in old and key in new else [here]
    elif old != new:
        yield pointer


def _doc_edits(old: Any, new: Any, pointer: str, names: bool = False) -> Iterator[str]:
    """The documentation edits under `pointer`; `names`: the keys here are names (`_NAMED`)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old.keys() | new.keys():
            if str(key) == "version" and pointer == "#/info":
                continue
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key == "tags" and pointer.startswith("#/paths/"):
                continue  # an operation's tags place its generated module: the api-tag-* rules
            if not names and (key in _DOCUMENTATION or str(key).startswith("x-")):
                if _key(old.get(key)) != _key(new.get(key)):
                    yield here
            elif key in old and key in new:
                named = not names and (key in _NAMED or pointer == "#/components")
                yield from _doc_edits(old[key], new[key], here, named)


def compare(old: Spec, new: Spec) -> Report:
    diff = _Diff(old, new)
    try:
        diff.run()
    except SpecError:
        raise
    except (TypeError, AttributeError, KeyError, ValueError) as error:  # a shape OpenAPI forbids
        raise SpecError(f"not a valid OpenAPI 3.x document ({type(error).__name__}: {error})") from None
    order = {id(change): index for index, change in enumerate(diff.changes)}
    diff.changes.sort(key=lambda change: (not change.breaking, order[id(change)]))
    return Report(old, new, diff.changes)
