"""podman for the deploy tests: is it there, how to call it, what a compose project left behind.

Without podman the tests skip locally and fail in CI (`CI` = 1/true/yes), where `.ci/run`
installs it. Every call reads deploy/containers.conf, as the Makefile's targets do.
"""

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from tests.ci import require_tool
from tools.registry import ROOT

CONTAINERS_CONF = ROOT / "deploy" / "containers.conf"
# The image the tests build (`make image IMAGE=...`), apart from the user's own `latest`.
TEST_IMAGE = "localhost/contract-first-microservices:test"
PROJECT_LABEL = "io.podman.compose.project"


def podman_or_skip() -> str:
    """Skips locally and fails in CI without podman (tests/ci.py: .ci/run installs it)."""
    return require_tool("podman", "apt-get install podman runc catatonit uidmap mmdebstrap")


def environ(**extra: str) -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF), **extra}


def run(args: Sequence[str], check: bool = True, timeout: float = 600, **env: str) -> str:
    """Run a command from the repo root; its stdout, or a failure showing both streams."""
    done = subprocess.run(
        list(args), cwd=ROOT, env=environ(**env), capture_output=True, text=True, timeout=timeout
    )
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def podman(*args: str, check: bool = True) -> str:
    return run(["podman", *args], check=check, timeout=120)


@dataclass(frozen=True)
class Leftovers:
    containers: list[str]
    pods: list[str]
    networks: list[str]

    def __bool__(self) -> bool:
        return bool(self.containers or self.pods or self.networks)


def leftovers(project: str) -> Leftovers:
    """Everything podman still holds for compose project `project`."""
    label = f"label={PROJECT_LABEL}={project}"
    containers = podman("ps", "--all", "--filter", label, "--format", "{{.Names}}").split()
    pods = podman("pod", "ps", "--filter", f"name=^pod_{project}$", "--format", "{{.Name}}").split()
    networks = [
        each["name"]
        for each in json.loads(podman("network", "ls", "--format", "json") or "[]")
        if (each.get("labels") or {}).get(PROJECT_LABEL) == project or each["name"].startswith(f"{project}_")
    ]
    return Leftovers(containers, pods, networks)


def remove(found: Leftovers) -> None:
    """Force-remove what a failed `make down` left, so that no test run leaks containers."""
    if found.containers:
        podman("rm", "--force", "--time", "0", *found.containers, check=False)
    if found.pods:
        podman("pod", "rm", "--force", *found.pods, check=False)
    if found.networks:
        podman("network", "rm", "--force", *found.networks, check=False)
