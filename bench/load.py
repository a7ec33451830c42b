"""Driving load with wrk, and reading a process's CPU time and memory from /proc."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).with_name("report.lua")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    """One wrk run: what it measured, and the CPU the variant's processes spent meanwhile."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us_per_request: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def wrk_path() -> str | None:
    return shutil.which("wrk")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def run_wrk(url: str, headers: dict[str, str], connections: int, seconds: int, pids: list[int]) -> Run:
    """`connections` keep-alive connections for `seconds`, on one wrk thread (the machine is small)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    finished = subprocess.run([*command, url], capture_output=True, text=True, check=True)  # noqa: S603
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    requests = summary["requests"]
    return Run(
        requests=requests,
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=sum(summary["errors"].values()),
        cpu_us_per_request=cpu / requests * 1e6 if requests else float("nan"),
    )
