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
    cpu_us_by_process: tuple[float, ...] = ()  # per service (the `pids` given), same order

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (field 3 of the man page is [0])."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process and its descendants have used so far."""
    total = 0.0
    for each in process_tree(pid):
        fields = _stat(each)
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def rss_mib(pid: int) -> float:
    """Resident memory of the process and its descendants."""
    total = 0.0
    for each in process_tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def run_wrk(url: str, headers: dict[str, str], connections: int, seconds: int, pids: list[int]) -> Run:
    """`connections` keep-alive connections for `seconds`, on one wrk thread (the machine is small)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = [cpu_seconds(pid) for pid in pids]
    finished = subprocess.run([*command, url], capture_output=True, text=True, check=True)  # noqa: S603
    by_process = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
    cpu = sum(by_process)
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    requests = summary["requests"]
    return Run(
        requests=requests,
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=sum(summary["errors"].values()),
        cpu_us_per_request=cpu / requests * 1e6 if requests else float("nan"),
        cpu_us_by_process=tuple(each / requests * 1e6 if requests else float("nan") for each in by_process),
    )
