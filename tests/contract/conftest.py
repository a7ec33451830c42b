"""Shared by the contract tests: the specs, and the services as they run in the demo."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI

from tests.apps import demo_auth_app, demo_info_app
from tests.servers import ROOT

SPECS = ROOT / "specs"
SERVICES = ["auth", "info"]


def spec_path(name: str) -> Path:
    return SPECS / f"{name}.yaml"


def load_spec(name: str) -> dict[str, Any]:
    return yaml.safe_load(spec_path(name).read_text(encoding="utf-8"))


def demo_app(name: str) -> FastAPI:
    return {"auth": demo_auth_app, "info": demo_info_app}[name]()


@pytest.fixture(params=SERVICES)
def service_name(request: pytest.FixtureRequest) -> str:
    return request.param
