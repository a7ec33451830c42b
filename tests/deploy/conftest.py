"""One image per session, one compose project per module that needs it: containers are slow."""

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.deploy.podman import TEST_IMAGE, leftovers, podman, podman_or_skip, remove, run
from tools.launch import free_port
from tools.registry import services


@dataclass(frozen=True)
class Image:
    tag: str
    id: str
    seconds: float  # how long `make image` took


@pytest.fixture(scope="session")
def image() -> Image:
    """The image as `make image` builds it from this checkout (the local base is built once)."""
    podman_or_skip()
    started = time.monotonic()
    run(["make", "--no-print-directory", "image", f"IMAGE={TEST_IMAGE}"], timeout=900)
    seconds = time.monotonic() - started
    return Image(TEST_IMAGE, podman("image", "inspect", "--format", "{{.Id}}", TEST_IMAGE).strip(), seconds)


# What the tests ask of the image, found in one throwaway container (each start costs seconds).
FACTS = """
import importlib, importlib.metadata, importlib.util, json, os, shutil, sys
services, dev, names, paths = (json.loads(arg) for arg in sys.argv[1:5])
failed = {}
for module in services:
    try:
        importlib.import_module(module)
    except Exception as error:
        failed[module] = repr(error)
print(json.dumps({
    "distributions": {d.metadata["Name"]: d.version for d in importlib.metadata.distributions()},
    "imports_failed": failed,
    "found_modules": [m for m in services + dev if importlib.util.find_spec(m)],
    "which": {name: shutil.which(name) for name in names},
    "existing_paths": [path for path in paths if os.path.exists(path)],
    "python": list(sys.version_info[:2]),
    "app_entries": sorted(os.listdir("/app")),
    "event_loop": type(__import__("uvicorn").Config("x:y", loop=os.environ.get("UVICORN_LOOP", "auto"))
                       .get_loop_factory()()).__module__,
}))
"""
# Looked for in the image: runtime modules must import, dev tools must be absent.
DEV_MODULES = ["pytest", "schemathesis", "ruff", "playwright", "podman_compose", "kubernetes_validate"]
EXECUTABLES = ["uvicorn", "python", "sleep", "uv", "pip", "gcc", "cc", "make", "git"]
ABSENT_PATHS = [
    "/opt/uv",
    "/root/.cache",
    "/app/tests",
    "/app/bench",
    "/app/.git",
    "/app/Dockerfile",
    "/app/.venv/bin/pip",
    "/run/secrets/ca",
]


@pytest.fixture(scope="session")
def image_facts(image: Image) -> dict:
    packages = [each.package for each in services()]
    found = podman(
        "run", "--rm", "--read-only", image.id, "python", "-c", FACTS,
        json.dumps(packages), json.dumps(DEV_MODULES), json.dumps(EXECUTABLES), json.dumps(ABSENT_PATHS),
    )  # fmt: skip
    return json.loads(found)


@dataclass(frozen=True)
class Stack:
    project: str
    auth_url: str
    info_url: str
    network_prefix: str  # the compose network's /24, as NETWORK_PREFIX gives it

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    @property
    def network(self) -> str:
        return f"{self.project}_default"

    def compose(self, *args: str) -> str:
        return run([".venv/bin/podman-compose", "-p", self.project, "-f", "compose.yaml", *args], timeout=120)


def poll(url: str, status: int, timeout: float = 30.0) -> tuple[httpx.Response, float]:
    """GET `url` until it answers `status`; the answer and the seconds it took."""
    started = time.monotonic()
    last: object = None
    while time.monotonic() - started < timeout:
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == status:
                return response, time.monotonic() - started
            last = response.status_code
        except httpx.TransportError as error:
            last = error
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer {status} within {timeout:g} s (last: {last!r})")


def free_network_prefix() -> str:
    """A /24 (its first three octets) that no podman network uses: compose.yaml's network has a
    fixed subnet, and test runs (and `make up`) side by side must not collide."""
    used = {
        subnet["subnet"]
        for network in json.loads(podman("network", "ls", "--format", "json") or "[]")
        for subnet in network.get("subnets") or []
    }
    candidates = [f"10.89.{octet}" for octet in range(200, 255) if f"10.89.{octet}.0/24" not in used]
    assert candidates, "no free 10.89.200-254 /24 for the compose network"
    return secrets.choice(candidates)


@pytest.fixture(scope="module")
def stack(image: Image) -> Iterator[Stack]:
    """Both services from compose.yaml, started by `make up` on free ports of 127.0.0.1.

    `make down` removes them; whatever it leaves (or a failed `make up` left) is removed by force
    and fails the run.
    """
    project = f"cfm-test-{secrets.token_hex(3)}"
    auth_port, info_port = free_port(), free_port()
    make_vars = [f"IMAGE={image.tag}", f"COMPOSE_PROJECT={project}"]
    ports = [f"AUTH_PORT={auth_port}", f"INFO_PORT={info_port}"]
    prefix = free_network_prefix()
    try:
        # BUILD=0: the session's image is current; `make up` alone would rebuild it (~8 s).
        up = ["make", "--no-print-directory", "up", "BUILD=0", *make_vars, *ports]
        run(up, timeout=900, NETWORK_PREFIX=prefix)
        yield Stack(project, f"http://127.0.0.1:{auth_port}", f"http://127.0.0.1:{info_port}", prefix)
    finally:
        run(["make", "--no-print-directory", "down", *make_vars], check=False, timeout=120)
        left = leftovers(project)
        remove(left)
        assert not left, f"make down left {left}"
