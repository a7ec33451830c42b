"""The operation each service's docs are explored with, and what the spec says about it."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from common.service import load_spec

DEMO_TOKEN = "merixstudio"


@dataclass(frozen=True)
class Journey:
    service: str  # "auth" or "info", also the spec's name
    method: str
    path: str
    answer: dict[str, Any]  # what the demo token gets, as the README's transcript shows it

    @cached_property
    def spec(self) -> dict[str, Any]:
        return load_spec(self.service)

    @property
    def operation(self) -> dict[str, Any]:
        return self.spec["paths"][self.path][self.method]

    def example(self, status: str) -> Any:
        """The spec's example for a response of this operation, following a `$ref`."""
        response = self.operation["responses"][status]
        if "$ref" in response:
            response = self.spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        (content,) = response["content"].values()
        return content["example"]

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


JOURNEYS = [
    Journey("info", "get", "/info/", {"info": "The answer is 42."}),
    Journey("auth", "post", "/login/", {"subject": "demo"}),
]
