"""The image of `make image`: the locked runtime dependencies and the source, nothing else."""

import json
import subprocess

from tests.deploy.conftest import Image
from tests.deploy.podman import podman
from tests.servers import ROOT
from tools.registry import services


def in_image(image: Image, script: str) -> object:
    """Run a Python script in a throwaway container of `image`; the JSON it prints."""
    return json.loads(podman("run", "--rm", "--read-only", image.id, "python", "-c", script))


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


def test_the_image_holds_exactly_the_locked_runtime_dependencies(image: Image) -> None:
    installed = in_image(
        image,
        "import json, importlib.metadata as m;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))",
    )
    assert {normalize(name): version for name, version in installed.items()} == runtime_lock()


def test_no_dev_dependency_is_importable(image: Image) -> None:
    modules = ["pytest", "schemathesis", "ruff", "playwright", "podman_compose", "kubernetes_validate"]
    found = in_image(
        image,
        "import importlib.util, json;"
        f"print(json.dumps([m for m in {modules!r} if importlib.util.find_spec(m)]))",
    )
    assert found == []


def test_every_registered_service_imports_and_uvicorn_is_on_the_path(image: Image) -> None:
    apps = [each.app for each in services()]
    found = in_image(
        image,
        "import importlib, json, shutil, sys;"
        f"apps = {apps!r};"
        "[importlib.import_module(a.split(':')[0]) for a in apps];"
        "print(json.dumps({'uvicorn': shutil.which('uvicorn'), 'python': sys.version_info[:2]}))",
    )
    assert found == {"uvicorn": "/app/.venv/bin/uvicorn", "python": [3, 11]}


def test_no_build_tools_caches_or_tests_in_the_image(image: Image) -> None:
    paths = [
        "/opt/uv",
        "/root/.cache",
        "/app/tests",
        "/app/bench",
        "/app/.git",
        "/app/.venv/bin/pip",
        "/app/Dockerfile",
        "/run/secrets/ca",
    ]
    tools = ["uv", "pip", "gcc", "cc", "make", "git"]
    found = in_image(
        image,
        "import json, os, shutil;"
        f"found = [p for p in {paths!r} if os.path.exists(p)] + [t for t in {tools!r} if shutil.which(t)];"
        "print(json.dumps(found))",
    )
    assert found == []


def test_the_image_runs_as_a_numeric_non_root_user(image: Image) -> None:
    config = json.loads(podman("image", "inspect", image.id))[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Cmd"] == ["uvicorn", "info_service:app", "--port", "8000"]
    assert "WEB_CONCURRENCY=1" in config["Env"]
