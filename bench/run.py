"""The measurement plan: variants interleaved over rounds, then a long run for memory."""

import statistics
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.load import Run, rss_mib, run_wrk
from bench.variants import ALTERNATIVES, MAIN, Running, start, stop


@dataclass(frozen=True)
class Plan:
    rounds: int
    seconds: int
    concurrencies: tuple[int, ...]
    alternatives_at: int  # the concurrency at which the alternatives are measured too
    memory_seconds: int
    memory_connections: int
    with_alternatives: bool = True
    warm_up: bool = True

    @classmethod
    def full(cls) -> "Plan":
        return cls(
            rounds=3,
            seconds=3,
            concurrencies=(1, 16, 64),
            alternatives_at=16,
            memory_seconds=60,
            memory_connections=64,
        )

    @classmethod
    def smoke(cls) -> "Plan":
        """Checks the harness end to end in seconds; its figures mean nothing."""
        return cls(
            rounds=1,
            seconds=1,
            concurrencies=(4,),
            alternatives_at=4,
            memory_seconds=1,
            memory_connections=4,
            with_alternatives=False,
            warm_up=False,
        )


@dataclass(frozen=True)
class Summary:
    """Medians over the rounds of one variant at one concurrency (errors are summed)."""

    variant: str
    connections: int
    throughput: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us_per_request: float
    rounds: int
    cpu_us_by_service: tuple[float, ...] = ()  # e.g. (auth, info), medians

    @classmethod
    def of(cls, variant: str, connections: int, runs: list[Run]) -> "Summary":
        return cls(
            variant=variant,
            connections=connections,
            throughput=statistics.median(run.throughput for run in runs),
            p50_ms=statistics.median(run.p50_ms for run in runs),
            p99_ms=statistics.median(run.p99_ms for run in runs),
            errors=sum(run.errors for run in runs),
            cpu_us_per_request=statistics.median(run.cpu_us_per_request for run in runs),
            rounds=len(runs),
            cpu_us_by_service=tuple(
                statistics.median(each) for each in zip(*(run.cpu_us_by_process for run in runs), strict=True)
            ),
        )


# The first third of the memory run is warm-up (pools, caches and the young GC generation fill);
# growth after it is what "RSS flat" is judged on (bench/report.py).
MEMORY_WARM_UP = 1 / 3


@dataclass(frozen=True)
class Memory:
    """One service's resident memory, sampled every second (or so) through the long run."""

    service: str
    samples: list[tuple[float, float]]  # (seconds since the load started, RSS MiB)
    load: Run
    warm_up_s: float

    @property
    def before_mib(self) -> float:
        return self.samples[0][1]

    @property
    def warm_mib(self) -> float:
        """RSS at the end of the warm-up: the first sample at or after it."""
        return next((mib for t, mib in self.samples if t >= self.warm_up_s), self.samples[-1][1])

    @property
    def after_mib(self) -> float:
        return self.samples[-1][1]

    @property
    def growth_after_warm_up_mib(self) -> float:
        return self.after_mib - self.warm_mib

    @property
    def bytes_per_request_after_warm_up(self) -> float:
        """Growth after the warm-up over the requests served meanwhile (at the run's mean rate)."""
        seconds = self.samples[-1][0] - next((t for t, _ in self.samples if t >= self.warm_up_s), 0.0)
        requests = self.load.throughput * seconds
        return self.growth_after_warm_up_mib * 2**20 / requests if requests > 0 else 0.0


@dataclass(frozen=True)
class Results:
    plan: Plan
    summaries: list[Summary]
    memory: list[Memory]
    started: str
    seconds: float


def measure(plan: Plan) -> Results:
    began, started = time.monotonic(), time.strftime("%Y-%m-%d %H:%M %Z")
    variants = [*MAIN, *ALTERNATIVES] if plan.with_alternatives else MAIN
    running: list[Running] = []
    try:
        # A few at a time: a Python process takes seconds of CPU to start on a small machine.
        with ThreadPoolExecutor(3) as pool:
            starting = [pool.submit(start, variant) for variant in variants]
        running = [future.result() for future in starting if future.exception() is None]
        for future in starting:
            if (error := future.exception()) is not None:
                raise error
        for each in running if plan.warm_up else []:  # pools filled, lazy imports done
            run_wrk(each.url, dict(each.variant.headers), 16, 1, each.pids)
        runs: dict[tuple[str, int], list[Run]] = defaultdict(list)
        for round_ in range(plan.rounds):
            for connections in plan.concurrencies:
                batch = running if connections == plan.alternatives_at else running[: len(MAIN)]
                # A different order each round, so no variant always runs first (or last).
                shift = round_ % len(batch)
                for each in batch[shift:] + batch[:shift]:
                    run = run_wrk(each.url, dict(each.variant.headers), connections, plan.seconds, each.pids)
                    runs[each.variant.name, connections].append(run)
        summaries = [Summary.of(name, connections, found) for (name, connections), found in runs.items()]
        stack = next(each for each in running if each.variant.name == "stack")
        memory = measure_memory(stack, plan)
    finally:
        for each in running:
            stop(each)
    return Results(plan, summaries, memory, started, time.monotonic() - began)


def measure_memory(stack: Running, plan: Plan) -> list[Memory]:
    """Each service's resident memory through a long run, sampled from /proc while wrk runs."""
    names = [service.app.split(":")[0] for service in stack.services]
    interval = min(1.0, plan.memory_seconds / 10)
    samples: list[tuple[float, list[float]]] = []
    done = threading.Event()
    began = time.monotonic()

    def sample() -> None:
        while True:
            samples.append((time.monotonic() - began, [rss_mib(pid) for pid in stack.pids]))
            if done.wait(interval):
                return

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        load = run_wrk(
            stack.url, dict(stack.variant.headers), plan.memory_connections, plan.memory_seconds, stack.pids
        )
    finally:
        done.set()
        sampler.join()
    samples.append((time.monotonic() - began, [rss_mib(pid) for pid in stack.pids]))
    warm_up = plan.memory_seconds * MEMORY_WARM_UP
    return [
        Memory(name, [(t, mibs[i]) for t, mibs in samples], load, warm_up) for i, name in enumerate(names)
    ]
