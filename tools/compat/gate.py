"""`make compat` and `make release`: every registered spec against its released version.

The released contract of service NAME is `specs/released/NAME.yaml`, a copy of the spec as it was
last released, with a semver `info.version`. The gate fails when a spec changed and its version
did not, when a breaking change comes without a major bump, or when a version goes backwards; a
service with no released contract yet is reported as new. Release copies each spec over its
released version, only once the gate passes.
"""

import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.compat.changelog import render
from tools.compat.checker import compare
from tools.compat.consumers import consumers_of
from tools.compat.spec import SpecError, load
from tools.registry import REGISTRY, Service, services

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def released_spec(service: Service, registry: Path = REGISTRY) -> Path:
    return registry.parent / "specs" / "released" / f"{service.name}.yaml"


def semver(version: str) -> tuple[int, int, int, int, str]:
    """Sortable: a pre-release (`2.0.0-rc.1`) sorts before its release."""
    match = _SEMVER.match(version)
    if not match:
        raise ValueError(f"info.version {version!r} is not semver (MAJOR.MINOR.PATCH)")
    major, minor, patch, pre = match.groups()
    return int(major), int(minor), int(patch), 0 if pre else 1, pre or ""


def major_bumped(old: str, new: str) -> bool:
    """A new major version; under 1.0.0, semver lets a minor bump break too (0.1 -> 0.2)."""
    before, after = semver(old), semver(new)
    if before[0] == 0:
        return after[0] > 0 or after[1] > before[1]
    return after[0] > before[0]


def next_major(version: str) -> str:
    major, minor = semver(version)[:2]
    return f"0.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"


@dataclass
class Verdict:
    name: str
    ok: bool
    summary: str
    changelog: list[str] = field(default_factory=list)


def check(service: Service, registry: Path = REGISTRY) -> Verdict:
    released = released_spec(service, registry)
    name = service.name
    if not released.exists():
        try:
            version = load(service.spec).version
        except SpecError as error:
            return Verdict(name, False, f"FAIL: {error}")
        return Verdict(
            name,
            True,
            f"new: no released contract yet ({released.relative_to(registry.parent)} "
            f"appears at `make release`, as {version})",
        )
    try:
        old, new = load(released), load(service.spec)
        report = compare(old, new)
        before, after = semver(old.version), semver(new.version)
    except (SpecError, ValueError) as error:
        return Verdict(name, False, f"FAIL: {error}")
    changelog = render(report, consumers_of(name, registry), registry.parent) if report.changed else []
    breaking = len(report.breaking)
    if not report.changed:
        if after == before:
            return Verdict(name, True, f"unchanged ({new.version})")
        if after < before:
            return Verdict(name, False, f"FAIL: version went back from {old.version} to {new.version}")
        return Verdict(name, True, f"{old.version} -> {new.version}, no change but the version")
    if after == before:
        need = "a major version (it breaks callers)" if breaking else "a new version"
        return Verdict(
            name,
            False,
            f"FAIL: the spec changed but its version is still {new.version}: bump it, {need}",
            changelog,
        )
    if after < before:
        return Verdict(name, False, f"FAIL: version went back from {old.version} to {new.version}", changelog)
    if breaking and not major_bumped(old.version, new.version):
        return Verdict(
            name,
            False,
            f"FAIL: {breaking} breaking change(s) need a major version, "
            f"{next_major(old.version)} ({old.version} -> {new.version} is not one)",
            changelog,
        )
    if breaking:
        return Verdict(
            name,
            True,
            f"{old.version} -> {new.version}: major version, {breaking} breaking change(s) announced",
            changelog,
        )
    return Verdict(name, True, f"{old.version} -> {new.version}: compatible", changelog)


def stale(registry: Path = REGISTRY) -> list[Verdict]:
    """Released contracts of services no longer registered: removing a service breaks its callers."""
    names = {each.name for each in services(registry)}
    folder = registry.parent / "specs" / "released"
    return [
        Verdict(
            path.stem,
            False,
            f"FAIL: {path.relative_to(registry.parent)} has no service in "
            f"{registry.name}: removing a service breaks its callers; delete the file to confirm",
        )
        for path in sorted(folder.glob("*.yaml"))
        if path.stem not in names
    ]


def gate(registry: Path = REGISTRY) -> tuple[bool, list[str]]:
    verdicts = [check(each, registry) for each in services(registry)] + stale(registry)
    lines = []
    for verdict in verdicts:
        lines.append(f"{verdict.name}: {verdict.summary}")
        lines.extend(verdict.changelog)
    ok = all(verdict.ok for verdict in verdicts)
    lines.append("make compat: ok" if ok else "make compat: FAILED")
    return ok, lines


def release(registry: Path = REGISTRY) -> tuple[bool, list[str]]:
    ok, lines = gate(registry)
    if not ok:
        return False, [*lines, "make release: refused, make compat fails"]
    moved = []
    for each in services(registry):
        released = released_spec(each, registry)
        if released.exists() and released.read_bytes() == each.spec.read_bytes():
            continue
        before = load(released).version if released.exists() else None
        released.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(each.spec, released)
        moved.append(
            f"{each.name}: released {load(released).version}" + (f" (was {before})" if before else "")
        )
    return True, [*lines, *(moved or ["make release: nothing to release"])]


def main(argv: list[str]) -> int:
    if (
        len(argv) not in (1, 3)
        or argv[0] not in ("gate", "release")
        or (len(argv) == 3 and argv[1] != "--registry")
    ):
        print("usage: python -m tools.compat {gate|release} [--registry services.toml]", file=sys.stderr)
        return 2
    registry = Path(argv[2]).resolve() if len(argv) == 3 else REGISTRY
    ok, lines = (gate if argv[0] == "gate" else release)(registry)
    print("\n".join(lines))
    return 0 if ok else 1
