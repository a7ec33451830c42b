"""The registered services' specs, and walking an OpenAPI document (a plain dict): local `$ref`s
and operations. Every test that reads a spec takes it from here."""

import copy
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tools.registry import service, services

SERVICES = [each.name for each in services()]
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def spec_path(name: str) -> Path:
    return service(name).spec


@functools.cache
def _parsed_spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.load(spec_path(name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return spec


def load_spec(name: str) -> dict[str, Any]:
    """Service `name`'s spec, parsed once per run (libyaml), a copy of its own for each caller."""
    return copy.deepcopy(_parsed_spec(name))


def deref(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, following local `$ref`s (`#/components/...`) within `document`."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """`("GET /info/", operation)` for every operation of the document."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation
