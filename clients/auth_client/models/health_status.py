# Generated from specs/auth.yaml by openapi-python-client (make generate). Do not edit.
from enum import StrEnum


class HealthStatus(StrEnum):
    OK = "ok"

    def __str__(self) -> str:
        return str(self.value)
