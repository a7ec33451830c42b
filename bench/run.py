"""The measurement plan: variants interleaved over rounds, then a long run for memory."""

import statistics
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
        )


@dataclass(frozen=True)
class Memory:
    service: str
    before_mib: float
    after_mib: float
    load: Run


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
    """Each service's resident memory before and after a long run (after the warm-up)."""
    names = [service.app.split(":")[0] for service in stack.services]
    before = [rss_mib(pid) for pid in stack.pids]
    load = run_wrk(
        stack.url, dict(stack.variant.headers), plan.memory_connections, plan.memory_seconds, stack.pids
    )
    after = [rss_mib(pid) for pid in stack.pids]
    return [Memory(name, b, a, load) for name, b, a in zip(names, before, after, strict=True)]
