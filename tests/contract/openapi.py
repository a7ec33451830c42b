"""Walking an OpenAPI document (a plain dict): local `$ref`s and operations."""

from collections.abc import Iterator
from typing import Any

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


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
