"""Edits of the real specs shared by the compat checker's tests."""

from typing import Any


def add_409(document: dict[str, Any]) -> None:
    """A new error status on login (409: one no version of the spec documents)."""
    document["paths"]["/login/"]["post"]["responses"]["409"] = {"$ref": "#/components/responses/Unauthorized"}


def add_endpoint(document: dict[str, Any]) -> None:
    document["paths"]["/version"] = {
        "get": {"operationId": "version", "responses": {"204": {"description": "-"}}}
    }
