"""deploy/k8s/: valid against Kubernetes' own schemas (offline, `kubernetes-validate --strict`),
and consistent in what no schema sees: selectors, named ports, probe paths, service addresses and
the image that `make image` builds. Every registered service must be deployed.
"""

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import Image
from tests.deploy.podman import podman
from tools.registry import ROOT, Service, services

K8S = ROOT / "deploy" / "k8s"
# The oldest Kubernetes still commonly supported, and the newest kubernetes-validate knows.
VERSIONS = ["1.30.0", "1.37.0"]


@functools.cache
def _documents(path: Path) -> list[Any]:
    """The YAML documents of `path`, read once per run (libyaml's safe loader); callers copy them."""
    return [
        doc
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if doc is not None
    ]


def kustomization() -> dict[str, Any]:
    return copy.deepcopy(_documents(K8S / "kustomization.yaml")[0])


def resource_files() -> list[Path]:
    return [K8S / name for name in kustomization()["resources"]]


def manifests() -> list[dict[str, Any]]:
    return copy.deepcopy([doc for path in resource_files() for doc in _documents(path)])


def find(kind: str, name: str) -> dict[str, Any]:
    found = [doc for doc in manifests() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name!r} in deploy/k8s, found {len(found)}"
    return found[0]


def container(service: Service) -> dict[str, Any]:
    containers = find("Deployment", service.name)["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def strict_errors(docs: list[dict[str, Any]], version: str) -> list[str]:
    """What `kubernetes-validate --strict -k VERSION` says about each object; empty when valid.

    The library in-process, as its command line calls it: no process start per file and version.
    """
    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{doc['kind']} {doc['metadata']['name']}: {error.message} at {list(error.path)}")
    return errors


def spec_operations(service: Service) -> set[tuple[str, str]]:
    spec = _documents(service.spec)[0]
    return {(method.upper(), path) for path, item in spec["paths"].items() for method in item}


def makefile_image() -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^IMAGE \?= (\S+)$", text, re.MULTILINE)
    assert match, "no IMAGE ?= in the Makefile"
    return match.group(1)


registered = pytest.mark.parametrize("service", services(), ids=lambda each: each.name)


@pytest.mark.parametrize("version", VERSIONS)
def test_manifests_are_valid_kubernetes_objects(version: str) -> None:
    assert manifests()
    assert strict_errors(manifests(), version) == []


def test_a_misspelt_field_fails_validation() -> None:
    text = (K8S / "info.yaml").read_text(encoding="utf-8")
    assert "readinessProbe:" in text
    misspelt = text.replace("readinessProbe:", "readynessProbe:", 1)
    broken = list(yaml.load_all(misspelt, Loader=yaml.CSafeLoader))
    errors = strict_errors(broken, VERSIONS[-1])
    assert len(errors) == 1
    assert "Deployment info" in errors[0]
    assert "readynessProbe" in errors[0]


def test_kustomization_lists_every_manifest() -> None:
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization()["resources"]) == on_disk


def test_every_object_is_a_registered_service() -> None:
    names = {each.name for each in services()}
    assert {doc["metadata"]["name"] for doc in manifests()} == names
    kinds = sorted(doc["kind"] for doc in manifests() if doc["metadata"]["name"] == "info")
    assert kinds == ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"]


@registered
def test_selectors_match_the_pods(service: Service) -> None:
    deployment = find("Deployment", service.name)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selectors = {
        "Deployment": deployment["spec"]["selector"]["matchLabels"],
        "Service": find("Service", service.name)["spec"]["selector"],
        "PodDisruptionBudget": find("PodDisruptionBudget", service.name)["spec"]["selector"]["matchLabels"],
    }
    for kind, selector in selectors.items():
        assert selector, f"{kind} {service.name} selects every pod"
        assert selector.items() <= labels.items(), f"{kind} {service.name} selects no pod of its Deployment"
    # No other Deployment's pods are selected by this Service.
    for other in services():
        if other != service:
            other_labels = find("Deployment", other.name)["spec"]["template"]["metadata"]["labels"]
            assert not selectors["Service"].items() <= other_labels.items()


@registered
def test_named_ports_exist_and_match_the_registry(service: Service) -> None:
    ports = {port["name"]: port["containerPort"] for port in container(service)["ports"]}
    assert ports == {"http": service.port}
    for port in find("Service", service.name)["spec"]["ports"]:
        assert port["targetPort"] in ports
    for probe in ("readinessProbe", "livenessProbe"):
        assert container(service)[probe]["httpGet"]["port"] in ports


@registered
def test_probe_paths_are_operations_of_the_service_spec(service: Service) -> None:
    probes = container(service)
    assert probes["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert probes["readinessProbe"]["httpGet"]["path"] == "/readyz"
    operations = spec_operations(service)
    for probe in ("readinessProbe", "livenessProbe"):
        assert ("GET", probes[probe]["httpGet"]["path"]) in operations


@registered
def test_callers_reach_the_services_they_use_by_their_service_name(service: Service) -> None:
    env = {var["name"]: var for var in container(service).get("env", [])}
    for used_name in service.uses:
        used = next(each for each in services() if each.name == used_name)
        port = find("Service", used.name)["spec"]["ports"][0]["port"]
        assert env[used.url_variable]["value"] == f"http://{used.name}:{port}"


def test_auth_reads_token_digests_from_a_secret() -> None:
    env = {var["name"]: var for var in container(next(s for s in services() if s.name == "auth"))["env"]}
    assert env["AUTH_TOKEN_SHA256"]["valueFrom"]["secretKeyRef"]["key"] == "AUTH_TOKEN_SHA256"
    assert "AUTH_TOKENS" not in env
    assert not [doc for doc in manifests() if doc["kind"] == "Secret"], "secrets are not kept in git"


@registered
def test_pods_run_hardened_in_production_with_bounded_resources(service: Service) -> None:
    pod = find("Deployment", service.name)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    each = container(service)
    assert each["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
    }
    env = {var["name"]: var.get("value") for var in each["env"]}
    assert env["ENVIRONMENT"] == "production"
    assert int(env["WEB_CONCURRENCY"]) >= 1
    for bound in ("requests", "limits"):
        assert set(each["resources"][bound]) == {"cpu", "memory"}


def test_the_autoscaler_owns_info_replicas() -> None:
    hpa = find("HorizontalPodAutoscaler", "info")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "info"}
    assert "replicas" not in find("Deployment", "info")["spec"]
    assert hpa["minReplicas"] > find("PodDisruptionBudget", "info")["spec"]["minAvailable"]


@registered
def test_images_and_commands_are_those_of_make_image_and_compose(service: Service) -> None:
    images = {entry["name"]: f"{entry['newName']}:{entry['newTag']}" for entry in kustomization()["images"]}
    assert images == {container(service)["image"]: makefile_image()}
    command = ["uvicorn", service.app, "--port", str(service.port)]
    assert container(service)["command"] == command
    composed = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]
    assert composed[service.name]["command"] == command


@pytest.mark.processes
def test_the_built_image_runs_the_manifests_commands_as_their_user(image: Image, image_facts: dict) -> None:
    config = json.loads(podman("image", "inspect", image.id))[0]["Config"]
    for service in services():
        pod = find("Deployment", service.name)["spec"]["template"]["spec"]["securityContext"]
        assert config["User"] == f"{pod['runAsUser']}:{pod['runAsGroup']}"
        assert f"{service.port}/tcp" in config["ExposedPorts"]
        for command in (
            container(service)["command"],
            container(service)["lifecycle"]["preStop"]["exec"]["command"],
        ):
            assert image_facts["which"].get(command[0]), f"{command[0]} is not on the image's PATH"


def pod_labels(name: str) -> dict[str, str]:
    labels: dict[str, str] = find("Deployment", name)["spec"]["template"]["metadata"]["labels"]
    return labels


def test_auth_believes_x_forwarded_for_only_from_peers_its_network_policy_admits() -> None:
    """Auth trusts every peer (pod addresses are not known in advance), so the NetworkPolicy must
    admit to auth's port only info's pods, and Prometheus' pods in the monitoring namespace."""
    auth = next(s for s in services() if s.name == "auth")
    env = {var["name"]: var.get("value") for var in container(auth)["env"]}
    assert env["FORWARDED_ALLOW_IPS"] == "*"
    policies = [doc for doc in manifests() if doc["kind"] == "NetworkPolicy"]
    assert [doc["metadata"]["name"] for doc in policies] == ["auth"]
    policy = policies[0]["spec"]
    selected = policy["podSelector"]["matchLabels"]
    assert selected and selected.items() <= pod_labels("auth").items()
    assert not selected.items() <= pod_labels("info").items()
    assert "Ingress" in policy["policyTypes"]
    info_rule, prometheus_rule = policy["ingress"]
    for rule in (info_rule, prometheus_rule):
        assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
        assert len(rule["from"]) == 1
    # Same namespace (no namespaceSelector), info's pods and no other Deployment's.
    peer = info_rule["from"][0]
    assert set(peer) == {"podSelector"}
    admitted = peer["podSelector"]["matchLabels"]
    assert admitted and admitted.items() <= pod_labels("info").items()
    for other in services():
        if other.name != "info":
            assert not admitted.items() <= pod_labels(other.name).items()
    # Both selectors in one entry: Prometheus' pods *in* the monitoring namespace (an AND).
    scraper = prometheus_rule["from"][0]
    assert scraper == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
    }


@registered
def test_pods_are_annotated_for_prometheus_at_their_metrics_operation(service: Service) -> None:
    annotations = find("Deployment", service.name)["spec"]["template"]["metadata"]["annotations"]
    ports = {port["name"]: port["containerPort"] for port in container(service)["ports"]}
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(ports["http"])
    assert ("GET", annotations["prometheus.io/path"]) in spec_operations(service)


@registered
def test_several_workers_share_metrics_in_a_writable_volume_of_their_own(service: Service) -> None:
    each = container(service)
    env = {var["name"]: var.get("value") for var in each["env"]}
    directory = env.get("PROMETHEUS_MULTIPROC_DIR")
    if int(env["WEB_CONCURRENCY"]) == 1:
        # One worker: the process and Python metrics stay, multiprocess mode would drop them.
        assert directory is None
        return
    assert directory, f"{service.name} runs several workers without PROMETHEUS_MULTIPROC_DIR"
    mounts = [mount for mount in each["volumeMounts"] if mount["mountPath"] == directory]
    assert len(mounts) == 1, f"{directory} is not a mounted volume (the root filesystem is read-only)"
    assert not mounts[0].get("readOnly", False)
    volumes = find("Deployment", service.name)["spec"]["template"]["spec"]["volumes"]
    volume = next(v for v in volumes if v["name"] == mounts[0]["name"])
    assert "emptyDir" in volume, "the directory must start empty with the pod"
    # Not shared with another mount (/tmp): the directory holds only the workers' metric files.
    assert sum(1 for mount in each["volumeMounts"] if mount["name"] == volume["name"]) == 1
