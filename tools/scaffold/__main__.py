"""`python -m tools.scaffold NAME [--uses SERVICE]` (`make service NAME=... [USES=...]`)."""

import argparse
import subprocess
import sys

from tools.scaffold import Refused, scaffold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.scaffold", description=__doc__)
    parser.add_argument("name", help="the new service's name: `orders` makes orders_service/")
    parser.add_argument("--uses", help="a registered service it calls through a generated client")
    options = parser.parse_args(argv)
    try:
        made = scaffold(options.name, options.uses or None)
    except Refused as refusal:
        print(f"make service: refused, nothing changed: {refusal}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failure:
        print(f"make service: generation failed, nothing kept:\n{failure.stderr}", file=sys.stderr)
        return 1
    print(f"{made.name}: {len(made.files)} files, port {made.port}; then `make test`, `make run`.")
    for path in sorted(made.files):
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
