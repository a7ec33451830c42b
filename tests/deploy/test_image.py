"""The image of `make image`: the locked runtime dependencies and the source, nothing else."""

import json
import subprocess

import pytest

from tests.deploy.conftest import DEV_MODULES, Image
from tests.deploy.podman import podman
from tools.registry import ROOT, services

# podman, podman-compose, make and check-jsonschema run as processes: not in `make test-fast`.
pytestmark = pytest.mark.processes


def runtime_lock() -> dict[str, str]:
    """name -> version of every locked runtime dependency (`uv export --no-dev`)."""
    exported = subprocess.run(
        [str(ROOT / ".uv/bin/uv"), "export", "--locked", "--no-dev", "--no-hashes", "--no-emit-project"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins = [line.split(";")[0].strip() for line in exported.splitlines() if "==" in line]
    return {normalize(name): version for name, version in (pin.split("==") for pin in pins)}


def normalize(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_the_image_holds_exactly_the_locked_runtime_dependencies(image_facts: dict) -> None:
    installed = {normalize(name): version for name, version in image_facts["distributions"].items()}
    assert installed == runtime_lock()


def test_no_dev_dependency_is_importable(image_facts: dict) -> None:
    assert set(DEV_MODULES) & set(image_facts["found_modules"]) == set()
    assert "pytest" in DEV_MODULES and "schemathesis" in DEV_MODULES


def test_every_registered_service_imports_with_uvicorn_on_the_path(image_facts: dict) -> None:
    assert image_facts["imports_failed"] == {}
    assert {each.package for each in services()} <= set(image_facts["found_modules"])
    assert image_facts["which"]["uvicorn"] == "/app/.venv/bin/uvicorn"
    assert image_facts["python"] == [3, 11]


def test_uvicorn_runs_the_services_on_the_batch_accepting_loop(image_facts: dict) -> None:
    """`UVICORN_LOOP` in the image: uvloop alone accepts one connection a turn (common/eventloop.py)."""
    assert image_facts["event_loop"] == "common.eventloop"


def test_the_app_folder_holds_the_services_their_specs_and_the_venv_only(image_facts: dict) -> None:
    packages = {each.package for each in services()}
    expected = packages | {
        "clients",
        "common",
        "specs",
        "pyproject.toml",
        "uv.lock",
        "services.toml",
        ".venv",
    }
    assert set(image_facts["app_entries"]) == expected


def test_no_build_tools_caches_or_tests_in_the_image(image_facts: dict) -> None:
    assert image_facts["existing_paths"] == []
    tools = {
        name: path
        for name, path in image_facts["which"].items()
        if name in {"uv", "pip", "gcc", "cc", "make", "git"}
    }
    assert tools == dict.fromkeys(tools)


def test_the_image_runs_as_a_numeric_non_root_user(image: Image) -> None:
    config = json.loads(podman("image", "inspect", image.id))[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Cmd"] == ["uvicorn", "info_service:app", "--port", "8000"]
    assert "WEB_CONCURRENCY=1" in config["Env"]
