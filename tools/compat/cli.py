"""`spec-compat OLD NEW`: does NEW break a caller of OLD?

Exit 0: compatible. 1: NEW breaks a caller of OLD. 2: a file is missing or not an OpenAPI 3.x
document (one line on stderr). The changelog goes to stdout, breaking changes first.
"""

import argparse
import sys
from pathlib import Path

from tools import registry
from tools.compat.changelog import render
from tools.compat.checker import compare
from tools.compat.consumers import Consumer, consumers_of, service_of
from tools.compat.rules import RULES
from tools.compat.spec import SpecError, load


def _consumers(old: Path, new: Path, service: str | None) -> list[Consumer]:
    if service is None:
        found = service_of(new) or service_of(old)
        service = found.name if found else None
    else:
        registry.service(service)  # KeyError for a name services.toml does not have
    return consumers_of(service) if service else []


def rules_table() -> list[str]:
    lines = ["rule id | side | breaking | oasdiff id"]
    for rule in RULES.values():
        lines.append(
            f"{rule.id} | {rule.side} | {'yes' if rule.breaking else 'no'} | "
            f"{'yes' if rule.oasdiff else 'ours'}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="spec-compat",
        description="Compare two OpenAPI 3.x contracts: exit 0 when NEW is compatible with callers of OLD, "
        "1 when it breaks them, 2 when a file is missing or invalid.",
    )
    parser.add_argument("old", nargs="?", help="the contract callers were written against")
    parser.add_argument("new", nargs="?", help="the contract to check")
    parser.add_argument(
        "--service",
        help="the registered service whose consumers to check "
        "(default: the one whose spec or released spec is OLD or NEW)",
    )
    parser.add_argument("--rules", action="store_true", help="list the rules and exit")
    args = parser.parse_args(argv)
    if args.rules:
        print("\n".join(rules_table()))
        return 0
    if not args.old or not args.new:  # `make compat OLD=a.yaml` passes NEW as ""
        print("spec-compat: error: give two files, OLD and NEW", file=sys.stderr)
        return 2
    try:
        old, new = load(args.old), load(args.new)
        report = compare(old, new)
        consumers = _consumers(Path(args.old), Path(args.new), args.service)
    except SpecError as error:
        print(f"spec-compat: error: {error}", file=sys.stderr)
        return 2
    except KeyError as error:  # an unknown --service
        print(f"spec-compat: error: {error.args[0]}", file=sys.stderr)
        return 2
    print("\n".join(render(report, consumers)))
    return 1 if report.breaking else 0


if __name__ == "__main__":
    sys.exit(main())
