"""The score of a `make mutate` run: killed / (every mutant mutmut tried), and a floor it must meet.

Timeouts count as killed (the mutant hung the tests: they noticed); mutants no test reaches count
as survivors. Usage: python -m tools.mutation_score mutants/mutmut-cicd-stats.json [floor%]
"""

import json
import sys
from pathlib import Path


def score(stats: dict[str, int]) -> float:
    tried = stats["total"] - stats["skipped"]
    return 100.0 * (stats["killed"] + stats["timeout"]) / tried if tried else 0.0


def main(argv: list[str]) -> int:
    stats = json.loads(Path(argv[0]).read_text())
    floor = float(argv[1]) if len(argv) > 1 else 0.0
    print(
        f"mutation score {score(stats):.1f}% (floor {floor:g}%): {stats['killed']} killed, "
        f"{stats['timeout']} timed out, {stats['survived']} survived, {stats['no_tests']} not reached "
        f"by any test, of {stats['total']}"
    )
    return 0 if score(stats) >= floor else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
