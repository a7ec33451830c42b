"""`make bench` in smoke mode: the harness starts every variant, measures, and reports.

Its figures mean nothing (1 s runs, CI machines); what it proves is that each variant answers
the real 200 under load with no errors, and that the report, data and plot are written.
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
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    return out


def test_every_variant_served_the_answer_under_load_without_errors(report):
    results = json.loads((report / "results.json").read_text())

    measured = {(s["variant"], s["connections"]) for s in results["summaries"]}
    assert measured == {("blog", 4), ("stack", 4), ("bare", 4)}
    for summary in results["summaries"]:
        assert summary["throughput"] > 0
        assert summary["errors"] == 0, f"{summary['variant']}: errors or non-2xx answers"
        assert 0 < summary["p50_ms"] <= summary["p99_ms"]
        assert summary["cpu_us_per_request"] > 0


def test_memory_is_read_for_both_services(report):
    results = json.loads((report / "results.json").read_text())

    assert [m["service"] for m in results["memory"]] == ["auth_service", "info_service"]
    assert all(m["before_mib"] > 10 and m["after_mib"] > 10 for m in results["memory"])


def test_the_report_has_the_tables_the_ratios_and_the_plot(report):
    text = (report / "report.md").read_text()

    assert "| stack | 4 |" in text and "| blog | 4 |" in text and "| bare | 4 |" in text
    assert "cores, and the load generator competes for them" in text
    assert "![throughput and latency](report.png)" in text
    assert (report / "report.png").read_bytes().startswith(b"\x89PNG")
