"""Which consumers a change breaks: the operations each service calls through a generated client.

A consumer reaches a provider only through `clients/<provider>_client`, whose generated modules
are `api/<tag>/<module>.py`, one per operation, named after the operationId. So the operations a
consumer calls are read from its own source: every import of such a module. Nothing is listed by
hand, and a new call shows up the day it is written.
"""

import ast
import builtins
import re
from dataclasses import dataclass
from pathlib import Path

from tools.registry import ROOT, Service, client_package, services

_DELIMITERS = r"\. _-"
_RESERVED = (set(dir(builtins)) | {"self", "true", "false", "datetime"}) - {"id"}


def module_name(operation_id: str | None, method: str, path: str) -> str:
    """The module openapi-python-client generates for an operation (its `PythonIdentifier` of the
    operationId, or of `method_path` when there is none, with the default `field_` prefix).
    A copy, because importing the generator costs seconds; tests/tools pin it to the original."""
    if operation_id is None:
        operation_id = (
            f"{method.lower()}_{path.replace('{', '').replace('}', '').replace('/', '_').strip('_')}"
        )
    value = "".join(c for c in operation_id if c.isidentifier() or c.isdecimal() or c in _DELIMITERS)
    leading_underscore = value.startswith("_")
    if any(c.isupper() for c in value):
        value = " ".join(re.split("([A-Z]?[a-z]+)", value))
    value = "_".join(re.findall(rf"[^{re.escape(_DELIMITERS)}]+", value)).lower()
    if value in _RESERVED:
        value = f"{value}_"
    if not value.isidentifier() or leading_underscore:
        value = f"field_{value}"
    return value


def called_modules(package_dir: Path, provider: str) -> dict[str, list[str]]:
    """The generated modules of `provider`'s client that the code under `package_dir` imports:
    module name -> the files that import it ("info_service/auth.py:16")."""
    api = f"clients.{client_package(provider)}.api"
    found: dict[str, list[str]] = {}

    def record(dotted: str, where: str) -> None:
        # `clients.auth_client.api.<tag>.<module>` (or something below it)
        parts = dotted.removeprefix(api + ".").split(".")
        if dotted.startswith(api + ".") and len(parts) >= 2:
            found.setdefault(parts[1], []).append(where)

    for file in sorted(package_dir.rglob("*.py")):
        text = file.read_text(encoding="utf-8")
        if api not in text:  # no import of the client's operations (parsing every file costs)
            continue
        shown = file.relative_to(package_dir.parent)
        for node in ast.walk(ast.parse(text, filename=str(file))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            where = f"{shown}:{node.lineno}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    record(alias.name, where)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith(api + "."):
                    if len(node.module.removeprefix(api + ".").split(".")) == 1:  # from api.<tag> import m
                        for alias in node.names:
                            record(f"{node.module}.{alias.name}", where)
                    else:
                        record(node.module, where)
                elif node.module == api:  # from clients.auth_client.api import auth
                    for alias in node.names:
                        record(f"{api}.{alias.name}.*", where)
    return found


@dataclass(frozen=True, slots=True)
class Consumer:
    name: str  # "info"
    modules: frozenset[str]  # the generated modules it imports: {"login", "readyz"}

    def calls(self, operation_id: str | None, method: str, path: str) -> bool:
        return "*" in self.modules or module_name(operation_id, method, path) in self.modules


def consumers_of(provider: str, registry: Path | None = None) -> list[Consumer]:
    """Every registered service whose `uses` lists `provider`, with what it calls."""
    listed = services(registry) if registry else services()
    root = registry.parent if registry else ROOT
    return [
        Consumer(each.name, frozenset(called_modules(root / each.package, provider)))
        for each in listed
        if provider in each.uses
    ]


def service_of(path: Path, registry: Path | None = None) -> Service | None:
    """The registered service a spec file belongs to: its spec, or its released spec."""
    path = path.resolve()
    for each in services(registry) if registry else services():
        released = each.spec.parent / "released" / each.spec.name
        if path in (each.spec.resolve(), released.resolve()):
            return each
    return None
