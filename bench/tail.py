"""`python -m bench.tail [--variant stack] [--loop L] [--runs 6]`: the latency tail, run by run.

`make bench` gives one p99/p50 at 64 connections per round; a tail that comes and goes hides in
it. This starts one variant and prints each run's percentiles up to the maximum. Each wrk run
opens its connections at once: that is how plain uvloop's one accept a turn showed (docs/
performance.md, "The tail at 64 connections"). `--loop uvloop` or `--loop asyncio` serves the
variant on that loop instead of `common/eventloop.py`'s.
"""

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import variants
from bench.load import wrk_path
from bench.variants import TOKEN, Variant
from tools.launch import Service

PERCENTILES = (50, 90, 99, 99.9)
SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("%d", summary.requests))
  for _, p in ipairs({ PCTS }) do io.write(string.format(" %d", latency:percentile(p))) end
  io.write(string.format(" %d\\n", latency.max))
end
"""


def with_args(services: list[Service], args: list[str]) -> list[Service]:
    for service in services:
        service.args += args
    return services


def builds(loop: list[str]) -> dict[str, Callable[[], list[Service]]]:
    bare = [*variants.QUIET, *loop]
    return {
        "stack": lambda: variants.stack(args=loop),
        "minimal": lambda: with_args(variants.minimal(), loop),
        "bare": lambda: [Service("bench.bare:app", args=bare, ready_path="/openapi.json")],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tail", description=__doc__)
    parser.add_argument("--variant", choices=("stack", "minimal", "bare"), default="stack")
    parser.add_argument("--loop", help="uvloop or asyncio instead of common.eventloop's")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=3)
    options = parser.parse_args(argv)
    if wrk_path() is None:
        print("wrk is missing: apt-get install wrk (Debian, Ubuntu)", file=sys.stderr)
        return 2
    wrk = wrk_path()
    build = builds(["--loop", options.loop] if options.loop else [])[options.variant]
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(SCRIPT.replace("PCTS", ", ".join(map(str, PERCENTILES))))
    running = variants.start(Variant(options.variant, "", build, checks_token=options.variant != "bare"))
    header = ["-H", f"Authorization: {TOKEN}"]
    names = " ".join(f"p{p:g}" for p in PERCENTILES)
    print(f"{options.variant} on {options.loop or 'common.eventloop'}, {options.connections} connections")
    print(f"run  req/s  {names} max (ms)  p99/p50")
    try:
        warm = [str(wrk), "-t1", "-c16", "-d1s", *header, running.url]
        subprocess.run(warm, capture_output=True, check=True)  # noqa: S603
        for run in range(options.runs):
            command = [str(wrk), "-t1", f"-c{options.connections}", f"-d{options.seconds}s"]
            command += ["--timeout", "5s", "-s", str(script), *header, running.url]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
            requests, *micros = (int(word) for word in out.strip().splitlines()[-1].split())
            millis = [each / 1000 for each in micros]
            shown = " ".join(f"{each:.1f}" for each in millis)
            ratio = millis[2] / millis[0]
            print(f"{run:3}  {requests / options.seconds:5.0f}  {shown}  {ratio:.2f}", flush=True)
    finally:
        variants.stop(running)
        script.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
