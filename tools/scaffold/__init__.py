"""`make service NAME=orders [USES=auth]`: a new service, made the way the others are.

It writes the starter spec `specs/<name>.yaml` (the house conventions: probes, problem+json
errors, request ids, the `token` security scheme, examples), the package `<name>_service/` built
as the others are (lazy `app`, app factory, typed lifespan state, settings, deps, routes; with
USES, a gateway that asks the used service through its generated client, over one shared pool
that forwards each caller's token), its tests (`tests/<name>_service/`: behaviour, and the case
behind each spec example), its deployment (`deploy/k8s/<name>.yaml`, listed in the kustomization,
and a service in `compose.yaml`), its entry in `services.toml` (on the lowest free port from 8002),
then generates its models and the used service's client (`make _generate ONLY=<name>`: the
other services' code is left as it is).

It checks everything before writing anything: a name that exists, that is not a valid package
name, or a USES naming no service is refused, and nothing changes. Should generation fail, what
it wrote is removed again.
"""

import keyword
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.registry import REGISTRY, Service, client_package, services

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
FIRST_PORT = 8002


class Refused(Exception):
    """The scaffold changed nothing; the message says why."""


@dataclass(frozen=True)
class Plan:
    name: str
    uses: Service | None
    port: int
    files: dict[Path, str]  # relative path -> content, every file to write
    registry_entry: str
    new_folders: tuple[Path, ...]  # relative; removed again if the scaffold fails
    # (file, anchor line, text): text inserted after the anchor line of an existing file
    # (compose.yaml's `services:`, the kustomization's `resources:`); restored if the scaffold fails.
    inserts: tuple[tuple[Path, str, str], ...] = ()


def render(template: str, values: dict[str, str], flags: set[str]) -> str:
    """`{{key}}` placeholders, and `#if flag` / `#if !flag` / `#else` / `#endif` lines."""
    kept: list[str] = []
    stack: list[bool] = []
    for line in template.splitlines(keepends=True):
        directive = line.strip()
        if directive.startswith("#if "):
            flag = directive[4:]
            stack.append(flag[1:] not in flags if flag.startswith("!") else flag in flags)
        elif directive == "#else":
            stack[-1] = not stack[-1]
        elif directive == "#endif":
            stack.pop()
        elif all(stack):
            kept.append(line)
    text = "".join(kept)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"unknown placeholder in a template: {text[text.index('{{') :][:40]}")
    return text


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def snake(identifier: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", identifier).lower()


def protected_operation(used: Service) -> tuple[str, str]:
    """(tag, operationId) of the used service's first protected operation, as snake case: the
    module of its generated client that the new service calls (`api/auth/login.py`)."""
    spec = yaml.safe_load(used.spec.read_text(encoding="utf-8"))
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("security", spec.get("security")):
                return snake(operation["tags"][0]), snake(operation["operationId"])
    raise Refused(f"{used.name} has no protected operation to ask whether a token is valid")


def plan(name: str, uses: str | None, root: Path) -> Plan:
    """Everything to write, or Refused: nothing is touched here."""
    registered = {each.name: each for each in services.__wrapped__(root / REGISTRY.name)}
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise Refused(f"{name!r} is not a valid name: lower case letters, digits and single underscores")
    package = f"{name}_service"
    if name in registered:
        raise Refused(f"a service {name!r} is already registered in services.toml")
    for taken in (root / package, root / "specs" / f"{name}.yaml", root / "tests" / package):
        if taken.exists():
            raise Refused(f"{taken.relative_to(root)} already exists")
    if uses is not None and uses not in registered:
        raise Refused(f"USES={uses!r} names no registered service (registered: {', '.join(registered)})")
    used = registered[uses] if uses else None
    taken_ports = {each.port for each in registered.values()}
    port = next(port for port in range(FIRST_PORT, 65536) if port not in taken_ports)
    values = {"name": name, "NAME": name.upper(), "Title": name.replace("_", " ").capitalize()}
    values |= {"Camel": camel(name), "package": package, "port": str(port)}
    flags: set[str] = set()
    files: dict[Path, str] = {}

    def fill(template: str) -> str:
        return render((TEMPLATES / f"{template}.tmpl").read_text(encoding="utf-8"), values, flags)

    if used:
        tag, operation = protected_operation(used)
        flags.add("uses")
        values |= {
            "used": used.name,
            "USED": used.name.upper(),
            "Used": camel(used.name),
            "used_port": str(used.port),
            "used_client": client_package(used.name),
            "used_tag": tag,
            "used_operation": operation,
        }
        config = root / "clients" / f"{client_package(used.name)}.config.yaml"
        if not config.exists():
            files[config.relative_to(root)] = fill("client.config.yaml")
        files[Path(package) / f"{used.name}.py"] = fill("package/used.py")
        files[Path(package) / f"{used.name}_http.py"] = fill("package/used_http.py")
    files[Path("specs") / f"{name}.yaml"] = fill("spec.yaml")
    for module in ("__init__.py", "config.py", "deps.py", "main.py", "routes.py"):
        files[Path(package) / module] = fill(f"package/{module}")
    tests = Path("tests") / package
    files[tests / "__init__.py"] = ""
    files[tests / "examples.py"] = fill("tests/examples.py")
    files[tests / f"test_{name}.py"] = fill("tests/test_service.py")
    uses_list = f'["{used.name}"]' if used else "[]"
    entry = (
        f'\n[services.{name}]\npackage = "{package}"\nspec = "specs/{name}.yaml"\n'
        f"port = {port}\nuses = {uses_list}\n"
    )
    files[Path("deploy") / "k8s" / f"{name}.yaml"] = fill("deploy/k8s.yaml")
    inserts = (
        (Path("compose.yaml"), "services:\n", fill("deploy/compose.yaml")),
        (Path("deploy") / "k8s" / "kustomization.yaml", "resources:\n", f"  - {name}.yaml\n"),
    )
    for file, anchor, _ in inserts:
        if anchor not in (root / file).read_text(encoding="utf-8").splitlines(keepends=True):
            raise Refused(f"{file} has no line {anchor.strip()!r} to add {name} under")
    new_folders = [Path(package), tests]
    if used and not (root / "clients" / client_package(used.name)).exists():
        new_folders.append(Path("clients") / client_package(used.name))
    return Plan(name, used, port, files, entry, tuple(new_folders), inserts)


def scaffold(name: str, uses: str | None = None, root: Path = REGISTRY.parent) -> Plan:
    """Writes the plan, then generates the code; undoes every write if generation fails."""
    made = plan(name, uses, root)
    registry = root / REGISTRY.name
    registry_before = registry.read_bytes()
    edited = {root / file: (root / file).read_bytes() for file, _, _ in made.inserts}
    written: list[Path] = []
    try:
        for file, anchor, text in made.inserts:
            lines = (root / file).read_text(encoding="utf-8").splitlines(keepends=True)
            at = lines.index(anchor) + 1
            (root / file).write_text("".join([*lines[:at], text, *lines[at:]]), encoding="utf-8")
        for relative, content in made.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            written.append(path)
        registry.write_text(registry_before.decode() + made.registry_entry, encoding="utf-8")
        # Imports sorted and lines wrapped for the names just filled in, as `make lint` wants them.
        code = [str(path) for path in written if path.suffix == ".py"]
        ruff = str(Path(sys.executable).with_name("ruff"))
        tidy = ([ruff, "check", "--fix-only", "--select", "I", "--quiet"], [ruff, "format", "--quiet"])
        for command in tidy:
            subprocess.run([*command, *code], cwd=root, check=True, capture_output=True, text=True)  # noqa: S603
        subprocess.run(  # noqa: S603  # the name is a checked package name
            ["make", "-s", "--no-print-directory", "_generate", "DEST=.", f"ONLY={name}"],  # noqa: S607
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        )
    except BaseException:
        registry.write_bytes(registry_before)
        for path, before in edited.items():
            path.write_bytes(before)
        for path in written:
            path.unlink(missing_ok=True)
        for directory in made.new_folders:
            shutil.rmtree(root / directory, ignore_errors=True)
        raise
    return made
