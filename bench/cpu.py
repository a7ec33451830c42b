"""`python -m bench.cpu`: CPU per GET /info/ with tracing and metrics on and off, in seconds, no wrk.

Each variant runs in a fresh process: info's app is driven in-process through ASGI (one request at
a time, the real generated client and aiohttp transport) against a real auth process. The CPU is
this process's (`time.process_time`, the span exporter's thread included) plus auth's (/proc),
per request. Far lighter than `make bench`, and steadier on a shared machine; it measures cost,
not throughput.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message

from bench.load import cpu_seconds
from bench.variants import PRODUCTION, TOKEN, tracing
from tools.launch import Service

VARIANTS: dict[str, dict[str, str]] = {
    "production (metrics on, tracing off)": {},
    "no metrics": {"BENCH_NO_METRICS": "1"},
    "tracing, every request": {"BENCH_TRACING": "parentbased_always_on"},
    "tracing, 10% sampled": {"BENCH_TRACING": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"},
}


async def _drive(app: ASGIApp, state: Mapping[str, Any], requests: int) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/info/",
        "raw_path": b"/info/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"authorization", TOKEN.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    statuses: list[int] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    for _ in range(requests):
        await app({**scope, "state": dict(state)}, receive, send)
    if set(statuses) != {200}:
        raise RuntimeError(f"answers other than 200: {sorted(set(statuses))}")


async def _measure(requests: int) -> dict[str, float]:
    from bench.alternatives import auth_without_metrics, info_without_metrics  # noqa: F401 -- env first
    from info_service import create_app

    no_metrics = bool(os.environ.get("BENCH_NO_METRICS"))
    auth_app = "bench.alternatives:auth_without_metrics" if no_metrics else "auth_service:app"
    auth = Service(auth_app, dict(os.environ), args=["--log-level", "warning", *(["--factory"] * no_metrics)])
    auth.start(timeout=60)
    try:
        os.environ["AUTH_URL"] = auth.url
        app = info_without_metrics() if no_metrics else create_app()
        async with app.router.lifespan_context(app) as state:
            await _drive(app, state or {}, 300)  # warm: pool filled, lazy imports done
            assert auth.process is not None
            cpu, auth_cpu = time.process_time(), cpu_seconds(auth.process.pid)
            await _drive(app, state or {}, requests)
            info_us = (time.process_time() - cpu) / requests * 1e6
            auth_us = (cpu_seconds(auth.process.pid) - auth_cpu) / requests * 1e6
    finally:
        auth.close()
    return {"info_us": info_us, "auth_us": auth_us, "total_us": info_us + auth_us}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.one:
        print(json.dumps(asyncio.run(_measure(options.requests))))
        return 0
    found: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    for round_ in range(options.rounds):
        names = list(VARIANTS)
        names = names[round_ % len(names) :] + names[: round_ % len(names)]  # interleaved
        for name in names:
            env = {**os.environ, **PRODUCTION, **VARIANTS[name]}
            if sampler := env.pop("BENCH_TRACING", None):
                env |= tracing(sampler, env.get("OTEL_TRACES_SAMPLER_ARG"))
            finished = subprocess.run(  # noqa: S603 -- our own module, with our own arguments
                [sys.executable, "-m", "bench.cpu", "--one", name, "--requests", str(options.requests)],
                env=env,
                capture_output=True,
                text=True,
            )
            if finished.returncode != 0:
                raise RuntimeError(f"{name}: {finished.stderr[-3000:]}")
            found[name].append(json.loads(finished.stdout.strip().splitlines()[-1]))
    base = statistics.median(run["total_us"] for run in found[next(iter(VARIANTS))])
    print(f"CPU µs per GET /info/ (info + auth), median of {options.rounds} runs of {options.requests}")
    print("| variant | info | auth | total | vs production |\n| --- | ---: | ---: | ---: | ---: |")
    for name, runs in found.items():
        med = {key: statistics.median(run[key] for run in runs) for key in ("info_us", "auth_us", "total_us")}
        print(
            f"| {name} | {med['info_us']:,.0f} | {med['auth_us']:,.0f} | {med['total_us']:,.0f} | "
            f"{med['total_us'] / base:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
