"""Loading a contract: YAML or JSON, checked to be an OpenAPI 3.x document, `$ref`s resolved by
`referencing` (local pointers, other files, `$id`s)."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import referencing
import referencing.exceptions
import referencing.jsonschema
import yaml

if TYPE_CHECKING:
    from referencing._core import Resolver

# libyaml's loader when present: 5x faster than the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(Exception):
    """A file that cannot be compared: missing, unreadable, or not an OpenAPI 3.x document."""


@dataclass(frozen=True, slots=True)
class Spec:
    path: Path
    document: dict[str, Any]
    resolver: "Resolver"

    @property
    def version(self) -> str:
        return str(self.document["info"]["version"])

    @property
    def title(self) -> str:
        return str(self.document["info"].get("title", self.path.name))


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: cannot read it ({error})") from None
    try:
        # JSON is YAML. _Loader is a safe loader (CSafeLoader or SafeLoader).
        return yaml.load(text, Loader=_Loader)  # noqa: S506
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise SpecError(f"{path}: not YAML or JSON{line}") from None


def _retrieve(uri: str) -> referencing.Resource:
    """Loads a file that a `$ref` points into (`other.yaml#/components/schemas/X`)."""
    if not uri.startswith("file://"):
        raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs init, unseen by mypy
    contents = _read(Path(uri.removeprefix("file://")))
    return referencing.jsonschema.DRAFT202012.create_resource(contents)


def _expect(node: Any, kind: type, where: str, path: Path) -> None:
    if not isinstance(node, kind):
        names: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
        expected = names.get(kind, kind.__name__)
        raise SpecError(f"{path}: not a valid OpenAPI 3.x document: {where} must be {expected}")


def _check_shape(document: Any, path: Path) -> None:
    """What the checker walks, in the shape OpenAPI gives it. Full validation of the contract is
    the tests' job (openapi-spec-validator); this keeps a malformed file from crashing the diff."""
    _expect(document, dict, "the document", path)
    openapi = document.get("openapi")
    if not isinstance(openapi, str) or not openapi.startswith("3."):
        raise SpecError(f"{path}: not an OpenAPI 3.x document (openapi: {openapi!r})")
    _expect(document.get("info"), dict, "info", path)
    if not isinstance(document["info"].get("version"), str):
        raise SpecError(f"{path}: not a valid OpenAPI 3.x document: info.version must be a string")
    _expect(document.get("paths", {}), dict, "paths", path)
    _expect(document.get("servers", []), list, "servers", path)
    _expect(document.get("security", []), list, "security", path)
    _expect(document.get("components", {}), dict, "components", path)
    for route, item in document.get("paths", {}).items():
        _expect(item, dict, f"paths.{route}", path)
        _expect(item.get("parameters", []), list, f"paths.{route}.parameters", path)
        for method in HTTP_METHODS:
            if method in item:
                where = f"paths.{route}.{method}"
                _expect(item[method], dict, where, path)
                _expect(item[method].get("parameters", []), list, f"{where}.parameters", path)
                _expect(item[method].get("responses", {}), dict, f"{where}.responses", path)
                _expect(item[method].get("security", []), list, f"{where}.security", path)


def load(path: str | Path) -> Spec:
    path = Path(path)
    return parse(_read(path), path)


def parse(document: Any, path: Path) -> Spec:
    """A document already loaded; `path` places it, for the `$ref`s to other files."""
    _check_shape(document, path)
    uri = path.resolve().as_uri()
    resource = referencing.jsonschema.DRAFT202012.create_resource(document)
    # `retrieve` is an attrs alias, which mypy does not see.
    empty: referencing.Registry[Any] = referencing.Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    registry = empty.with_resource(uri, resource)
    resolver = registry.resolver(base_uri=uri)
    for ref in _refs(document):
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            raise SpecError(
                f"{path}: not a valid OpenAPI 3.x document: cannot resolve $ref {ref!r}"
            ) from None
    return Spec(path=path, document=document, resolver=resolver)


def _refs(node: Any) -> Iterator[str]:
    """The document's own `$ref`s (not those under a schema with its own `$id`, a new base)."""
    if isinstance(node, dict):
        if "$id" in node:
            return
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
