"""`make bench` in smoke mode: the harness starts every variant, measures, profiles, and reports.

Its figures mean nothing (1 s runs, CI machines); what it proves is that each variant answers
the real 200 under load with no errors, that each app's CPU is split into layers, and that the
report, data and plot are written.
"""

import json
import subprocess
import sys

import pytest

from tests.ci import require_tool
from tools.registry import ROOT

pytestmark = pytest.mark.processes

require_tool("wrk", "apt-get install wrk; .ci/run installs it", module=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=480,
    )
    assert finished.returncode == 0, finished.stderr
    return out


def test_every_variant_served_the_answer_under_load_without_errors(report):
    results = json.loads((report / "results.json").read_text())

    measured = {(s["variant"], s["connections"]) for s in results["summaries"]}
    assert measured == {
        ("blog", 4),
        ("stack", 4),
        ("stack, 2 info workers", 4),
        ("minimal hop", 4),
        ("bare", 4),
    }
    for summary in results["summaries"]:
        assert summary["throughput"] > 0
        assert summary["errors"] == 0, f"{summary['variant']}: errors or non-2xx answers"
        assert 0 < summary["p50_ms"] <= summary["p99_ms"]
        assert summary["cpu_us_per_request"] > 0
        # each service's part (auth, info), but for the bare route's one process
        parts = summary["cpu_us_by_service"]
        assert len(parts) == (1 if summary["variant"] == "bare" else 2)
        assert sum(parts) == pytest.approx(summary["cpu_us_per_request"])


def test_memory_is_read_for_both_services(report):
    results = json.loads((report / "results.json").read_text())

    assert [m["service"] for m in results["memory"]] == ["auth_service", "info_service"]
    for m in results["memory"]:
        assert len(m["samples"]) >= 3
        assert m["before_mib"] > 10 and m["warm_mib"] > 10 and m["after_mib"] > 10
    assert [t["target"].split(":")[0] for t in results["targets"]][-2:] == ["auth_service", "info_service"]


def test_each_app_s_cpu_is_split_into_layers_that_add_up_to_its_unprofiled_cpu(report):
    profiles = {p["app"]: p for p in json.loads((report / "profile.json").read_text())}

    assert set(profiles) == {"info", "auth"}
    for profile in profiles.values():
        assert profile["unprofiled_us"] > 0 and sum(profile["samples"].values()) > 0
        assert sum(profile["us_per_request"].values()) == pytest.approx(profile["unprofiled_us"])
        assert (report / f"{profile['app']}.prof").stat().st_size > 0
    # Call counts are exact: every layer of the call path shows up in info, the server's in both.
    assert {
        "uvicorn (HTTP server, httptools parser)",
        "starlette",
        "fastapi (routing, dependencies, validation)",
        "generated client (clients/, attrs, dateutil)",
        "httpx",
        "the transport (info_service/http1.py, bench/aiohttp_transport.py)",
        "asyncio / event loop",
    } <= {layer for layer, calls in profiles["info"]["calls"].items() if calls >= 1}
    assert {"uvicorn (HTTP server, httptools parser)", "auth_service (routes, token book)"} <= {
        layer for layer, calls in profiles["auth"]["calls"].items() if calls >= 1
    }
    # aiohttp is the bench's alternative only: neither service calls it.
    assert "aiohttp" not in profiles["info"]["calls"] and "aiohttp" not in profiles["auth"]["calls"]


def test_the_report_has_the_tables_the_ratios_and_the_plot(report):
    text = (report / "report.md").read_text()

    assert "| stack | 4 |" in text and "| blog | 4 |" in text and "| bare | 4 |" in text
    assert "| minimal hop | 4 |" in text and "| stack, 2 info workers | 4 |" in text
    assert "| stack / minimal hop, CPU µs per request at 4 |" in text  # the smoke plan has one concurrency
    assert "### info: " in text and "### auth: " in text  # the profile's tables
    assert "cores, and the load generator competes for them" in text
    assert "![throughput and latency](report.png)" in text
    assert (report / "report.png").read_bytes().startswith(b"\x89PNG")
