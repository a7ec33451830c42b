"""The registry of services (`services.toml`): every loop over services starts here.

For the Makefile: `python -m tools.registry names` prints the names; `models` prints each service's
spec and package (`specs/auth.yaml auth_service`), one a line; `clients` each used service's spec
and generated client (`specs/auth.yaml auth_client`). With a NAME, `models` and `clients` print
only what that service needs generated: its models, and the clients of the services it uses
(`make service` generates no more than that).
"""

import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "services.toml"


@dataclass(frozen=True, slots=True)
class Service:
    name: str  # "auth"
    package: str  # "auth_service"
    spec: Path  # specs/auth.yaml, absolute
    port: int  # the default port of `make run`
    uses: tuple[str, ...]  # names of the services it calls through their generated clients

    @property
    def app(self) -> str:
        """What uvicorn serves: `auth_service:app`."""
        return f"{self.package}:app"

    @property
    def port_variable(self) -> str:
        """The environment variable that overrides the port: `AUTH_PORT`."""
        return f"{self.name.upper()}_PORT"

    @property
    def url_variable(self) -> str:
        """The environment variable with which callers find this service: `AUTH_URL`."""
        return f"{self.name.upper()}_URL"


def client_package(name: str) -> str:
    """The generated client of service `name`: `auth_client` (under `clients/`)."""
    return f"{name}_client"


@cache
def services(registry: Path = REGISTRY) -> tuple[Service, ...]:
    """Every registered service, in the file's order."""
    table = tomllib.loads(registry.read_text(encoding="utf-8"))["services"]
    root = registry.parent
    return tuple(
        Service(
            name=name,
            package=entry["package"],
            spec=root / entry["spec"],
            port=int(entry["port"]),
            uses=tuple(entry.get("uses", ())),
        )
        for name, entry in table.items()
    )


def service(name: str, registry: Path = REGISTRY) -> Service:
    for each in services(registry):
        if each.name == name:
            return each
    raise KeyError(f"no service {name!r} in {registry.name}")


def used() -> tuple[Service, ...]:
    """The services some service calls: each gets a generated client."""
    names = {name for each in services() for name in each.uses}
    return tuple(each for each in services() if each.name in names)


def main(argv: list[str]) -> int:
    verb, *names = argv or [""]
    only = names[0] if len(names) == 1 else None
    try:
        if verb == "names" and not names:
            print(" ".join(each.name for each in services()))
        elif verb == "models" and len(names) <= 1:
            for each in [service(only)] if only else services():
                print(each.spec.relative_to(ROOT), each.package)
        elif verb == "clients" and len(names) <= 1:
            for each in [service(other) for other in service(only).uses] if only else used():
                print(each.spec.relative_to(ROOT), client_package(each.name))
        else:
            print("usage: python -m tools.registry names|models [NAME]|clients [NAME]", file=sys.stderr)
            return 2
    except KeyError as exc:  # an unknown NAME
        print(exc.args[0], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
