"""Shared by the contract tests: every registered service's spec, and its app as in the demo."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI

from tests.apps import build
from tools.registry import service, services

SERVICES = [each.name for each in services()]


def spec_path(name: str) -> Path:
    return service(name).spec


def load_spec(name: str) -> dict[str, Any]:
    return yaml.safe_load(spec_path(name).read_text(encoding="utf-8"))


def demo_app(name: str) -> FastAPI:
    return build(name)


@pytest.fixture(params=SERVICES)
def service_name(request: pytest.FixtureRequest) -> str:
    return request.param
