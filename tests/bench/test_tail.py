"""`python -m bench.tail`: a run-by-run tail report, on the loop asked for."""

import re
import subprocess
import sys

import pytest

from tests.ci import require_tool
from tools.registry import ROOT

pytestmark = pytest.mark.processes

require_tool("wrk", "apt-get install wrk; .ci/run installs it", module=True)


@pytest.mark.parametrize("loop", [["--loop", "asyncio"]])  # the default loop runs every other test
def test_each_run_reports_its_percentiles_in_order(loop: list[str]) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bench.tail", "--variant", "bare", "--runs", "2", "--seconds", "1", *loop],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert lines[0] == f"bare on {loop[1] if loop else 'common.eventloop'}, 64 connections"
    runs = [line.split() for line in lines[2:]]
    assert [int(run[0]) for run in runs] == [0, 1]
    for run in runs:
        rate, *millis, ratio = (float(word) for word in run[1:])
        assert rate > 0
        assert millis == sorted(millis)  # p50 <= p90 <= p99 <= p99.9 <= max
        assert ratio == pytest.approx(millis[2] / millis[0], abs=0.01)
    assert not re.search(r"Traceback|Error", finished.stderr)
