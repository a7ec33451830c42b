"""Shared by the contract tests: the specs, and the services as they run in the demo."""

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI

from auth_service import create_app as create_auth_app
from auth_service.config import Settings as AuthSettings
from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings
from tests.servers import ROOT

SPECS = ROOT / "specs"
SERVICES = ["auth", "info"]


def spec_path(name: str) -> Path:
    return SPECS / f"{name}.yaml"


def load_spec(name: str) -> dict[str, Any]:
    return yaml.safe_load(spec_path(name).read_text(encoding="utf-8"))


def demo_auth_app() -> FastAPI:
    return create_auth_app(AuthSettings(_env_file=None))


def demo_info_app() -> FastAPI:
    """The info service calling the real auth app in-process; its lifespan must run before use."""
    return create_info_app(InfoSettings(), auth_transport=httpx.ASGITransport(demo_auth_app()))


def demo_app(name: str) -> FastAPI:
    return {"auth": demo_auth_app, "info": demo_info_app}[name]()


@pytest.fixture(params=SERVICES)
def service_name(request: pytest.FixtureRequest) -> str:
    return request.param
