"""`python -m bench [--smoke] [--out DIR]`: what `make bench` runs."""

import argparse
import sys
from pathlib import Path

from bench.load import wrk_path
from bench.report import write
from bench.run import Plan, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="seconds, not minutes: checks the harness")
    parser.add_argument("--out", type=Path, default=Path("reports/bench"))
    options = parser.parse_args(argv)
    if wrk_path() is None:
        print("wrk is missing: apt-get install wrk (Debian, Ubuntu)", file=sys.stderr)
        return 2
    results = measure(Plan.smoke() if options.smoke else Plan.full())
    command = "make bench" if not options.smoke else "python -m bench --smoke"
    write(results, options.out, command)
    print((options.out / "report.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
