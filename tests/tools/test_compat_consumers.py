"""Which consumers a change breaks (tools/compat/consumers.py): the generated modules each service
imports, read from its source."""

from pathlib import Path

import pytest

from tests.contract.openapi import load_spec
from tools.compat.consumers import Consumer, called_modules, consumers_of, module_name, service_of
from tools.registry import ROOT


def test_info_calls_login_and_readyz_as_its_source_says() -> None:
    assert set(called_modules(ROOT / "info_service", "auth")) == {"login", "readyz"}
    (info,) = consumers_of("auth")
    assert info.name == "info" and info.modules == {"login", "readyz"}


def test_module_names_are_the_generated_clients() -> None:
    """Every generated module of clients/auth_client is the module name of an auth operation."""
    document = load_spec("auth")
    expected = {
        module_name(op.get("operationId"), method, path)
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    generated = {
        p.stem for p in (ROOT / "clients" / "auth_client" / "api").glob("*/*.py") if p.stem != "__init__"
    }
    assert generated == expected


@pytest.mark.parametrize(
    "operation_id", ["login", "getInfo", "get-user.byID", "list", "HTTPStatus", "_x", "2fa"]
)
def test_module_name_is_openapi_python_clients(operation_id: str) -> None:
    from openapi_python_client.strings import PythonIdentifier

    assert module_name(operation_id, "get", "/") == PythonIdentifier(operation_id, prefix="field_")


@pytest.mark.parametrize(
    "path", ["/readyz", "/tokens/{id}", "/login/", "/users/{user_id}/roles", "/", "/v2/x.json"]
)
@pytest.mark.parametrize("method", ["get", "POST"])
def test_without_an_operation_id_the_module_is_named_as_openapi_python_client_names_it(
    path: str, method: str
) -> None:
    from openapi_python_client.parser.openapi import generate_operation_id
    from openapi_python_client.schema.untrusted_string import UntrustedString

    expected = generate_operation_id(path=UntrustedString(path), method=method.lower(), prefix="field_")
    assert module_name(None, method, path) == expected


IMPORTS = {
    "a.py": "import clients.auth_client.api.auth.login\nimport clients.auth_client.api.auth\n",
    "b.py": "\n\nfrom clients.auth_client.api.auth import readyz, healthz\n",
    "sub/c.py": "from clients.auth_client.api.auth.login import asyncio_detailed\n"
    "from clients.auth_client import models\nimport clients.auth_client.api\n",
    "sub/d.py": "from . import sibling\nfrom .api.auth import relative\n"
    "import clients.info_client.api.info.get_info\n"
    "from clients.auth_client.apis.auth import near_miss\n",
    "e.py": "def f():\n    from clients.auth_client.api import tokens\n",
    "f.txt": "import clients.auth_client.api.auth.not_python\n",
}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    for name, text in IMPORTS.items():
        (tmp_path / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / name).write_text(text)
    return tmp_path / "pkg"


def test_every_form_of_import_of_a_generated_module_is_found_with_where(package: Path) -> None:
    assert called_modules(package, "auth") == {
        "login": ["pkg/a.py:1", "pkg/sub/c.py:1"],
        "readyz": ["pkg/b.py:3"],
        "healthz": ["pkg/b.py:3"],
        "*": ["pkg/e.py:2"],
    }
    assert called_modules(package, "info") == {"get_info": ["pkg/sub/d.py:3"]}
    assert called_modules(package, "other") == {}


def test_a_consumer_calls_what_it_imports_or_everything_under_a_whole_tag() -> None:
    info = Consumer("info", frozenset({"login", "get_readyz"}))
    assert info.calls("login", "POST", "/login/")
    assert info.calls(None, "GET", "/readyz")
    assert not info.calls("logout", "POST", "/login/")
    assert not info.calls(None, "GET", "/healthz")
    assert Consumer("all", frozenset({"*"})).calls("anything", "GET", "/x")


@pytest.fixture
def registry(tmp_path: Path, package: Path) -> Path:
    (tmp_path / "services.toml").write_text(
        "[services.auth]\npackage = 'auth_service'\nspec = 'specs/auth.yaml'\nport = 1\n\n"
        "[services.lone]\npackage = 'lone_service'\nspec = 'specs/lone.yaml'\nport = 2\nuses = ['info']\n\n"
        "[services.pkg]\npackage = 'pkg'\nspec = 'specs/pkg.yaml'\nport = 3\nuses = ['info', 'auth']\n"
    )
    (tmp_path / "lone_service").mkdir()
    return tmp_path / "services.toml"


def test_the_consumers_of_a_provider_are_the_services_that_use_it(registry: Path) -> None:
    assert consumers_of("auth", registry) == [Consumer("pkg", frozenset({"login", "readyz", "healthz", "*"}))]
    assert consumers_of("info", registry) == [
        Consumer("lone", frozenset()),
        Consumer("pkg", frozenset({"get_info"})),
    ]
    assert consumers_of("pkg", registry) == []


def test_a_spec_belongs_to_the_service_it_is_the_spec_or_the_released_spec_of(registry: Path) -> None:
    root = registry.parent
    found = service_of(root / "specs" / "lone.yaml", registry)
    assert found is not None and found.name == "lone"
    found = service_of(root / "specs" / "released" / "pkg.yaml", registry)
    assert found is not None and found.name == "pkg"
    assert service_of(root / "specs" / "other.yaml", registry) is None
    assert service_of(root / "lone.yaml", registry) is None
    found = service_of(ROOT / "specs" / "released" / "auth.yaml")
    assert found is not None and found.name == "auth"
    assert service_of(registry) is None
