"""`python -m bench [--smoke] [--no-profile] [--out DIR]`: what `make bench` runs.

The load runs first (wrk, every variant), then the per-layer profile (bench/profile.py), whose
tables close report.md; `make bench PROFILE=1` runs the profile alone, in about a minute.
"""

import argparse
import sys
from pathlib import Path

from bench import profile
from bench.load import wrk_path
from bench.report import write
from bench.run import Plan, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="seconds, not minutes: checks the harness")
    parser.add_argument("--out", type=Path, default=Path("reports/bench"))
    parser.add_argument("--no-profile", action="store_true", help="the load runs only")
    options = parser.parse_args(argv)
    if wrk_path() is None:
        print("wrk is missing: apt-get install wrk (Debian, Ubuntu)", file=sys.stderr)
        return 2
    results = measure(Plan.smoke() if options.smoke else Plan.full())
    command = "make bench" if not options.smoke else "python -m bench --smoke"
    layers = ""
    if not options.no_profile:
        requests, warm = (60, 20) if options.smoke else (2000, 300)
        layers = profile.write(profile.run(requests, warm, options.out), options.out, command)
    write(results, options.out, command, layers)
    print((options.out / "report.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
