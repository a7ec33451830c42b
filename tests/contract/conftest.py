"""Shared by the contract tests: a test taking `service_name` runs once per registered service.

Helpers for reading the specs are in `tests/contract/openapi.py`."""

import pytest

from tests.contract.openapi import SERVICES


@pytest.fixture(params=SERVICES)
def service_name(request: pytest.FixtureRequest) -> str:
    return request.param
