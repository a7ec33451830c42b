"""compose.yaml: valid against the Compose spec, and run for real with podman-compose.

The live tests share one compose project (the `stack` fixture, `make up` / `make down`) and send
traffic only to the ports it publishes on 127.0.0.1.
"""

import json
import subprocess

import httpx
import pytest
import yaml

from common.ratelimit import RateLimitSettings
from tests.deploy.conftest import Image, Stack, poll
from tests.deploy.podman import podman
from tools.registry import ROOT, services

# podman, podman-compose, make and check-jsonschema run as processes: not in `make test-fast`.
pytestmark = pytest.mark.processes

COMPOSE = ROOT / "compose.yaml"
DEMO = {"Authorization": "merixstudio"}


@pytest.fixture(scope="module")
def schema_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """check-jsonschema's errors for compose.yaml and for a copy with one misspelt field.

    One run for both files: the command takes seconds to start.
    """
    text = COMPOSE.read_text(encoding="utf-8")
    assert "    healthcheck:\n" in text
    misspelt = tmp_path_factory.mktemp("compose") / "misspelt-compose.yaml"
    misspelt.write_text(text.replace("    healthcheck:\n", "    healtcheck:\n", 1), encoding="utf-8")
    check = [str(ROOT / ".venv/bin/check-jsonschema"), "--output-format", "json"]
    done = subprocess.run(
        [*check, "--builtin-schema", "vendor.compose-spec", str(COMPOSE), str(misspelt)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(done.stdout)
    assert report["parse_errors"] == [], report
    errors: dict[str, list[str]] = {"compose.yaml": [], "misspelt": []}
    for error in report["errors"]:
        key = "misspelt" if error["filename"] == str(misspelt) else "compose.yaml"
        errors[key].append(f"{error['path']}: {error['message']}")
    assert (done.returncode == 0) == (report["errors"] == [])
    return errors


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_file_is_valid_against_the_compose_spec(schema_errors: dict[str, list[str]]) -> None:
    assert schema_errors["compose.yaml"] == []


def test_a_misspelt_field_fails_the_compose_check(schema_errors: dict[str, list[str]]) -> None:
    assert len(schema_errors["misspelt"]) == 1
    assert "'healtcheck' was unexpected" in schema_errors["misspelt"][0]


def test_every_registered_service_is_composed_on_loopback_with_a_readiness_healthcheck() -> None:
    composed = compose()["services"]
    assert set(composed) == {each.name for each in services()}
    for each in services():
        service = composed[each.name]
        assert service["command"] == ["uvicorn", each.app, "--port", str(each.port)]
        assert service["ports"] == [f"127.0.0.1:${{{each.port_variable}:-{each.port}}}:{each.port}"]
        assert f"http://127.0.0.1:{each.port}/readyz" in " ".join(service["healthcheck"]["test"])
        for used in each.uses:
            assert service["environment"][f"{used.upper()}_URL"] == f"http://{used}:{composed_port(used)}"
            assert service["depends_on"][used]["condition"] == "service_healthy"


def composed_port(name: str) -> int:
    return next(each.port for each in services() if each.name == name)


def test_auth_believes_x_forwarded_for_only_from_info_s_fixed_address() -> None:
    composed = compose()
    subnets = [each["subnet"] for each in composed["networks"]["default"]["ipam"]["config"]]
    assert subnets == ["${NETWORK_PREFIX:-10.89.240}.0/24"]
    info_address = composed["services"]["info"]["networks"]["default"]["ipv4_address"]
    assert info_address == "${NETWORK_PREFIX:-10.89.240}.10"
    assert composed["services"]["auth"]["environment"]["FORWARDED_ALLOW_IPS"] == info_address
    # Auth's address is the network's to choose: nothing else may hold info's.
    assert "networks" not in composed["services"]["auth"]


@pytest.mark.parametrize("service", [each.name for each in services()])
def test_workers_share_metrics_in_a_fresh_writable_directory(service: str) -> None:
    """The worker count is the caller's (`*_WORKERS`), so multiprocess mode is always set up."""
    composed = compose()["services"][service]
    assert composed["environment"]["WEB_CONCURRENCY"].startswith("${")
    directory = composed["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    # A tmpfs: writable under read_only, and empty at each container start.
    assert [each.split(":", 1)[0] for each in composed["tmpfs"]] == [directory]


# Live: the containers from `make up`.


def test_the_blog_transcript_through_the_containers(stack: Stack) -> None:
    refused = httpx.get(f"{stack.info_url}/info/", timeout=5)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["status"] == 401

    answered = httpx.get(f"{stack.info_url}/info/", headers=DEMO, timeout=5)
    assert answered.status_code == 200
    assert answered.headers["content-type"] == "application/json"
    assert answered.text == '{"info":"The answer is 42."}'

    near_miss = httpx.get(f"{stack.info_url}/info/", headers={"Authorization": "Merixstudio"}, timeout=5)
    assert near_miss.status_code == 401


def test_info_is_unready_without_auth_and_ready_again_without_a_restart(stack: Stack) -> None:
    info = stack.container("info")
    started_at = podman("inspect", "--format", "{{.State.StartedAt}}", info)
    stack.compose("stop", "auth")
    unready, _ = poll(f"{stack.info_url}/readyz", 503, timeout=10)
    assert unready.headers["content-type"] == "application/problem+json"
    stack.compose("start", "auth")
    # The restarted auth container may have a new address on the compose network: info looks
    # the name up again after 1 s (info_service/http1.py); the rest is auth's start.
    poll(f"{stack.info_url}/readyz", 200, timeout=20)
    assert podman("inspect", "--format", "{{.State.StartedAt}}", info) == started_at
    assert podman("inspect", "--format", "{{.RestartCount}}", info).strip() == "0"
    assert httpx.get(f"{stack.info_url}/info/", headers=DEMO, timeout=5).status_code == 200


# Run in a container of its own on the compose network: a guesser at an address of its own.
GUESSER = """
import json, sys, urllib.error, urllib.request
def status(url, headers):
    request = urllib.request.Request(url, headers=headers, method="POST" if "/login/" in url else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
attempts = int(sys.argv[1]) + 1
guesses = [status("http://info:8000/info/", {"Authorization": f"guess-{n}"}) for n in range(attempts)]
valid = {"Authorization": "merixstudio"}
print(json.dumps({
    "guesses": guesses,
    "at_auth": status("http://auth:8001/login/", valid),
    "at_auth_spoofing": status("http://auth:8001/login/", {**valid, "X-Forwarded-For": "192.0.2.7"}),
}))
"""


def test_auth_limits_the_caller_behind_info_not_info(stack: Stack, image: Image) -> None:
    """A guesser locks out only itself, at info and at auth; honest callers keep their 200.

    Without auth trusting info's X-Forwarded-For, auth would count the guesser's failures against
    info's address, and refuse every caller behind info with 429.
    """
    budget = RateLimitSettings().failures  # compose sets no RATE_LIMIT_FAILURES
    found = json.loads(
        podman(
            "run", "--rm", "--read-only", "--network", stack.network, image.id,
            "python", "-c", GUESSER, str(budget),
        )
    )  # fmt: skip
    # Info's own budget: `budget` failures (each refused by auth), then 429 without asking auth.
    assert found["guesses"] == [401] * budget + [429]
    # Auth counted them against the guesser's address: its valid token is refused there too...
    assert found["at_auth"] == 429
    # ...and naming another caller does not help: only info's address is believed.
    assert found["at_auth_spoofing"] == 429
    # The honest caller (the host, at another address) is served through info: auth did not
    # count the failures against info.
    answered = httpx.get(f"{stack.info_url}/info/", headers=DEMO, timeout=5)
    assert answered.status_code == 200, answered.text


# Run inside a container: who the service process is, and what it may do.
INSPECT_PROCESS = """
import json, os
served = [
    p for p in os.listdir("/proc")
    if p.isdigit() and int(p) != os.getpid() and b"uvicorn" in open(f"/proc/{p}/cmdline", "rb").read()
]
status = dict(line.split(":", 1) for line in open(f"/proc/{served[-1]}/status") if ":" in line)
try:
    open("/app/written-at-runtime", "w")
    writable = True
except OSError:
    writable = False
print(json.dumps({
    "uids": sorted({os.stat(f"/proc/{p}").st_uid for p in served}),
    "cap_eff": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
    "root_writable": writable,
}))
"""


@pytest.mark.parametrize("service", [each.name for each in services()])
def test_the_services_run_unprivileged_on_a_read_only_root_filesystem(stack: Stack, service: str) -> None:
    found = json.loads(podman("exec", stack.container(service), "python", "-c", INSPECT_PROCESS))
    assert found == {"uids": [10001], "cap_eff": "0" * 16, "no_new_privs": "1", "root_writable": False}
