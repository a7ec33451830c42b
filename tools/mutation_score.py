"""The score of a `make mutate` run over the mutants it selected, and a floor it must meet.

Reads mutmut's results (`mutants/**/*.py.meta`) and counts only the mutants whose names match the
given globs (the same globs `mutmut run` takes, e.g. `common.ratelimit*`; none: every mutant), so a
run over a subset reports the kill rate of that subset. Timeouts count as killed (the mutant hung
the tests: they noticed); mutants no test reaches count as survivors; a selected mutant left
untried (an interrupted run) is reported and fails the run. Survivors and unreached mutants are
listed by name, for `mutmut show NAME`.

Usage: python -m tools.mutation_score [--floor PERCENT] [--results DIR] [GLOB ...]
"""

import argparse
import fnmatch
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

# mutmut's exit codes (mutmut.stats.status_by_exit_code), folded into what the score needs.
STATUS_BY_EXIT_CODE: dict[int | None, str] = {
    None: "untried",
    0: "survived",
    1: "killed",
    3: "killed",  # pytest's internal error: the mutant broke it
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "killed",  # caught by the type checker
}


def results(directory: Path) -> dict[str, int | None]:
    """Every mutant's exit code, by name, from the meta files of a `mutmut run`."""
    codes: dict[str, int | None] = {}
    for meta in sorted(directory.rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def select(codes: Mapping[str, int | None], globs: Iterable[str]) -> dict[str, int | None]:
    patterns = list(globs)
    if not patterns:
        return dict(codes)
    return {name: code for name, code in codes.items() if any(fnmatch.fnmatch(name, p) for p in patterns)}


def status(code: int | None) -> str:
    return STATUS_BY_EXIT_CODE.get(code, "suspicious")  # a crash or a signal: neither kill nor survival


def count(codes: Mapping[str, int | None]) -> Counter[str]:
    return Counter(status(code) for code in codes.values())


def score(counts: Mapping[str, int]) -> float:
    """Killed (timeouts included) over every mutant tried; skipped and untried ones are not tried."""
    tried = sum(counts.values()) - counts.get("skipped", 0) - counts.get("untried", 0)
    return 100.0 * (counts.get("killed", 0) + counts.get("timeout", 0)) / tried if tried else 0.0


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m tools.mutation_score", description=summary)
    parser.add_argument("globs", nargs="*", metavar="GLOB", help="mutant names, as `mutmut run` takes them")
    parser.add_argument("--floor", type=float, default=0.0, help="fail below this kill rate (percent)")
    parser.add_argument("--results", type=Path, default=Path("mutants"), help="mutmut's output folder")
    args = parser.parse_args(argv)

    selected = select(results(args.results), args.globs)
    if not selected:
        print(f"no mutant in {args.results}/ matches {args.globs or 'anything'}: run `make mutate` first")
        return 1
    counts = count(selected)
    for name, code in sorted(selected.items()):
        if status(code) in {"survived", "no tests", "suspicious", "untried"}:
            print(f"{status(code)}: {name}")
    print(
        f"mutation score {score(counts):.1f}% (floor {args.floor:g}%) over {len(selected)} mutants"
        f"{' matching ' + ' '.join(args.globs) if args.globs else ''}: {counts['killed']} killed, "
        f"{counts['timeout']} timed out, {counts['survived']} survived, "
        f"{counts['no tests']} reached by no test, {counts['suspicious']} suspicious, "
        f"{counts['skipped']} skipped, {counts['untried']} untried"
    )
    return 0 if score(counts) >= args.floor and not counts["untried"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
