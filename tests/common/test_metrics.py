"""`common/metrics.py`: the exposition in multiprocess mode adds up what every worker wrote to
`PROMETHEUS_MULTIPROC_DIR`, and nothing of the answering process's own registry.

The workers are played in-process: prometheus-client's multiprocess value class, given a worker's
id, writes that worker's file exactly as a uvicorn worker's counters do (`tests/test_metrics.py`
runs two real workers). The end-to-end scrape of one process is in `tests/test_metrics.py` too.
"""

import logging
import multiprocessing
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.values import MultiProcessValue

from common.metrics import MULTIPROCESS_ENV, exposition, install_metrics
from tests.apps import build


def worker_counts(worker: int, counts: dict[tuple[str, str], float]) -> None:
    """What a worker's `http_requests` counter writes to its file, labelled (operation, status)."""
    value_class = MultiProcessValue(lambda: worker)
    for (operation, status), count in counts.items():
        value = value_class(
            "counter",
            "http_requests",
            "http_requests_total",
            ("operation", "status"),
            (operation, status),
            "Requests answered, by operation (the spec's operationId) and status.",
        )
        value.inc(count)


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


@pytest.fixture
def multiproc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(MULTIPROCESS_ENV, str(tmp_path))
    return tmp_path


def test_in_multiprocess_mode_the_exposition_adds_up_every_workers_file(multiproc):
    worker_counts(101, {("getInfo", "200"): 2, ("getInfo", "401"): 1})
    worker_counts(102, {("getInfo", "200"): 3})

    exposed = samples(exposition())

    assert exposed == {
        ("http_requests_total", (("operation", "getInfo"), ("status", "200"))): 5.0,
        ("http_requests_total", (("operation", "getInfo"), ("status", "401"))): 1.0,
    }, "the workers' files only: not the answering process's own registry"


def test_in_multiprocess_mode_an_empty_directory_exposes_nothing(multiproc):
    assert exposition() == b""


def test_without_the_directory_the_exposition_is_this_processs_registry(monkeypatch):
    monkeypatch.delenv(MULTIPROCESS_ENV, raising=False)

    names = {name for name, _ in samples(exposition())}

    assert "python_info" in names  # the default registry's own collectors


@pytest.mark.parametrize("name", ["info", "auth"])
def test_metrics_serves_the_workers_sum_in_multiprocess_mode(name, multiproc):
    worker_counts(7, {("getInfo", "200"): 4})
    with TestClient(build(name)) as client:
        response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert samples(response.content) == {
        ("http_requests_total", (("operation", "getInfo"), ("status", "200"))): 4.0
    }


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("name", "method", "path", "operation"),
    [("info", "GET", "/info/", "getInfo"), ("auth", "POST", "/login/", "login")],
)
@pytest.mark.parametrize(("token", "status"), [("merixstudio", "200"), ("wrong", "401")])
def test_each_request_counts_once_under_its_operation_and_status(
    name, method, path, operation, token, status
):
    counted = sample("http_requests_total", operation=operation, status=status)
    timed = sample("http_request_duration_seconds_count", operation=operation)
    with TestClient(build(name)) as client:
        assert client.request(method, path, headers={"Authorization": token}).status_code == int(status)

    assert sample("http_requests_total", operation=operation, status=status) == counted + 1
    assert sample("http_request_duration_seconds_count", operation=operation) == timed + 1


@pytest.mark.parametrize(
    ("path", "operation", "status"),
    [
        ("/nope", "unmatched", "404"),
        ("/docs", "/docs", "200"),
        ("/openapi.json", "/openapi.json", "200"),
        ("/static-offline-docs/swagger-ui.css", "/static-offline-docs", "200"),
        ("/static-offline-docs/no-such-asset.css", "/static-offline-docs", "404"),
        ("/metrics", "metrics", "200"),
    ],
    ids=["unknown-path", "route-without-operation-id", "plain-route", "mount", "mount-404", "own-operation"],
)
def test_a_request_outside_the_specs_operations_is_labelled_by_its_route_or_unmatched(
    path, operation, status
):
    counted = sample("http_requests_total", operation=operation, status=status)
    with TestClient(build("info")) as client:
        assert client.get(path).status_code == int(status)

    assert sample("http_requests_total", operation=operation, status=status) == counted + 1


@pytest.mark.parametrize("shared_dir", [False, True], ids=["no dir", "dir"])
def test_a_worker_without_a_shared_directory_says_its_counts_are_its_own(
    shared_dir: bool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Under a process supervisor (a parent process), `/metrics` adds the workers up only through
    `PROMETHEUS_MULTIPROC_DIR`; without it, the worker warns at start-up, once."""
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    if shared_dir:
        monkeypatch.setenv(MULTIPROCESS_ENV, str(tmp_path))
    else:
        monkeypatch.delenv(MULTIPROCESS_ENV, raising=False)
    caplog.set_level(logging.WARNING, logger="metrics")

    install_metrics(FastAPI())

    warnings = [record.getMessage() for record in caplog.records if record.name == "metrics"]
    assert warnings == (
        []
        if shared_dir
        else [
            f"a worker process without {MULTIPROCESS_ENV}: with several workers, /metrics counts only the "
            "requests of the worker that answers the scrape"
        ]
    )


def test_a_process_of_its_own_does_not_warn(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: None)
    monkeypatch.delenv(MULTIPROCESS_ENV, raising=False)
    caplog.set_level(logging.WARNING, logger="metrics")

    install_metrics(FastAPI())

    assert [record for record in caplog.records if record.name == "metrics"] == []
