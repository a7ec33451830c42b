"""`python -m tools.fuzz` (`make fuzz`): schemathesis against every registered service, live.

Every service starts on a port the OS picks (tools.launch), each caller pointed at the services it
uses; schemathesis then runs against each one with `schemathesis.toml`'s settings, the given seed
and number of examples, writing JUnit and HTML reports. The services stop on exit.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from tools.launch import every_service
from tools.registry import ROOT, services


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fuzz")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--examples", type=int, default=500, help="per operation and phase")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument("names", nargs="*", help="services to fuzz (all started anyway); default all")
    options = parser.parse_args(argv)
    names = options.names or [each.name for each in services()]
    options.reports.mkdir(parents=True, exist_ok=True)
    for old in options.reports.glob("fuzz-*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    schemathesis = Path(sys.executable).with_name("schemathesis")
    status = 0
    with every_service() as running:
        print(
            f"fuzzing {', '.join(f'{name} at {running[name].url}' for name in names)}, "
            f"seed {options.seed}, {options.examples} examples",
            flush=True,
        )
        for each in services():
            if each.name not in names:
                continue
            report = options.reports / f"fuzz-{each.name}"
            command = [
                str(schemathesis), "run", str(each.spec), "--url", running[each.name].url,
                "--seed", str(options.seed), "--max-examples", str(options.examples),
                "--report", "junit,html", "--report-junit-path", f"{report}.xml",
                "--report-html-path", f"{report}-html",
            ]  # fmt: skip
            status |= subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603
    print(f"reports: {options.reports}/fuzz-<service>.xml and fuzz-<service>-html/")
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
