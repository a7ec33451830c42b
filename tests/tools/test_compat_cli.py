"""`spec-compat OLD NEW` (the console script), `make compat` and `make release` (the gate)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools.compat.cli import main
from tools.compat.consumers import called_modules, consumers_of, module_name
from tools.compat.gate import gate, major_bumped, release
from tools.registry import ROOT

# spec-compat and make run as the user runs them: processes.
pytestmark = pytest.mark.processes

SPEC_COMPAT = Path(sys.executable).parent / "spec-compat"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SPEC_COMPAT), *args], capture_output=True, text=True, check=False, cwd=ROOT)


def edited(tmp_path: Path, name: str, edit, version: str | None = None) -> Path:
    document = yaml.safe_load((ROOT / "specs" / f"{name}.yaml").read_text())
    edit(document)
    if version:
        document["info"]["version"] = version
    path = tmp_path / f"{name}-new.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def add_409(document) -> None:
    """A new error status on login (409: one no version of the spec documents)."""
    document["paths"]["/login/"]["post"]["responses"]["409"] = {"$ref": "#/components/responses/Unauthorized"}


def add_endpoint(document) -> None:
    document["paths"]["/version"] = {
        "get": {"operationId": "version", "responses": {"204": {"description": "-"}}}
    }


# --- spec-compat ----------------------------------------------------------------------------------
def test_the_same_file_is_compatible() -> None:
    result = run("specs/auth.yaml", "specs/auth.yaml")
    assert result.returncode == 0, result.stderr
    assert "no changes" in result.stdout


def test_a_new_endpoint_is_compatible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(ROOT / "specs/auth.yaml"), str(edited(tmp_path, "auth", add_endpoint, "1.1.0"))]) == 0
    assert "ok       endpoint-added [operation]" in capsys.readouterr().out


def test_a_breaking_change_exits_1_and_names_the_rule_and_the_consumer(tmp_path: Path) -> None:
    result = run("specs/auth.yaml", str(edited(tmp_path, "auth", add_409)), "--service", "auth")
    assert result.returncode == 1
    assert "BREAKING response-non-success-status-added [response]" in result.stdout
    assert "at:   POST /login/ response 409" in result.stdout
    assert "who:  breaks info, which calls login (POST /login/)" in result.stdout


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "no such file"),
        ("openapi: 2.0.0\n", "not an OpenAPI 3.x document (openapi: '2.0.0')"),
        ("{paths: [", "not YAML or JSON at line 2"),
        ("- a list\n", "not a valid OpenAPI 3.x document: the document must be a mapping"),
        (
            "openapi: 3.1.0\ninfo: {title: x, version: 1.0.0}\npaths: {/a: {get: {responses: []}}}\n",
            "paths./a.get.responses must be a mapping",
        ),
        (
            "openapi: 3.1.0\ninfo: {title: x, version: 1.0.0}\npaths: {/a: {get: {responses: {'200': "
            "{$ref: '#/components/responses/Nope'}}}}}\n",
            "cannot resolve $ref '#/components/responses/Nope'",
        ),
    ],
)
def test_a_missing_or_invalid_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, error: str
) -> None:
    path = tmp_path / "broken.yaml"
    if content is not None:
        path.write_text(content)
    for args in ((str(path), str(ROOT / "specs/auth.yaml")), (str(ROOT / "specs/auth.yaml"), str(path))):
        assert main(list(args)) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1 and err.startswith("spec-compat: error: ")
        assert error in err


def test_the_console_script_exits_2_with_one_line_for_a_missing_file(tmp_path: Path) -> None:
    result = run("specs/auth.yaml", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr == f"spec-compat: error: {tmp_path / 'nope.yaml'}: no such file\n"


def test_make_compat_runs_it_on_two_files(tmp_path: Path) -> None:
    new = edited(tmp_path, "auth", add_409)
    result = subprocess.run(
        ["make", "--no-print-directory", "compat", "OLD=specs/auth.yaml", f"NEW={new}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "response-non-success-status-added" in result.stdout


# --- consumers ----------------------------------------------------------------------------------
def test_info_calls_login_and_readyz_as_its_source_says() -> None:
    assert set(called_modules(ROOT / "info_service", "auth")) == {"login", "readyz"}
    (info,) = consumers_of("auth")
    assert info.name == "info" and info.modules == {"login", "readyz"}


def test_module_names_are_the_generated_clients() -> None:
    """Every generated module of clients/auth_client is the module name of an auth operation."""
    document = yaml.safe_load((ROOT / "specs" / "auth.yaml").read_text())
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


# --- the gate: make compat, make release ---------------------------------------------------------
@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the registry, the specs and info's source, every spec released as it is, at 1.0.0.

    Independent of whatever the repo's own specs hold unreleased today."""
    shutil.copy(ROOT / "services.toml", tmp_path)
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    for path in (tmp_path / "specs").glob("*.yaml"):
        document = yaml.safe_load(path.read_text())
        document["info"]["version"] = "1.0.0"
        text = yaml.safe_dump(document, sort_keys=False)
        path.write_text(text)
        (tmp_path / "specs" / "released" / path.name).write_text(text)
    shutil.copytree(
        ROOT / "info_service", tmp_path / "info_service", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path / "services.toml"


def spec_edit(registry: Path, name: str, edit, version: str | None) -> None:
    path = registry.parent / "specs" / f"{name}.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document)
    if version:
        document["info"]["version"] = version
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_the_repo_passes_the_gate() -> None:
    ok, lines = gate()
    assert ok, lines


def test_a_change_without_a_new_version_fails(repo: Path) -> None:
    spec_edit(repo, "auth", add_endpoint, None)
    ok, lines = gate(repo)
    assert not ok
    assert "auth: FAIL: the spec changed but its version is still 1.0.0: bump it, a new version" in lines


def test_a_breaking_change_with_a_minor_bump_fails(repo: Path) -> None:
    spec_edit(repo, "auth", add_409, "1.1.0")
    ok, lines = gate(repo)
    assert not ok
    assert "auth: FAIL: 1 breaking change(s) need a major version, 2.0.0 (1.0.0 -> 1.1.0 is not one)" in lines


def test_a_major_bump_accepts_and_lists_the_breaks(repo: Path) -> None:
    spec_edit(repo, "auth", add_409, "2.0.0")
    ok, lines = gate(repo)
    assert ok, lines
    assert "auth: 1.0.0 -> 2.0.0: major version, 1 breaking change(s) announced" in lines
    assert "           who:  breaks info, which calls login (POST /login/)" in lines


def test_a_compatible_change_with_a_minor_bump_passes(repo: Path) -> None:
    spec_edit(repo, "auth", add_endpoint, "1.1.0")
    ok, lines = gate(repo)
    assert ok and "auth: 1.0.0 -> 1.1.0: compatible" in lines


def test_a_version_going_back_fails(repo: Path) -> None:
    spec_edit(repo, "auth", add_endpoint, "0.9.0")
    assert not gate(repo)[0]


def test_a_service_with_no_released_contract_is_new(repo: Path) -> None:
    (repo.parent / "specs" / "released" / "info.yaml").unlink()
    ok, lines = gate(repo)
    assert ok
    assert (
        "info: new: no released contract yet (specs/released/info.yaml appears at `make release`, as 1.0.0)"
        in lines
    )


def test_a_released_contract_without_a_service_fails(repo: Path) -> None:
    shutil.copy(repo.parent / "specs" / "auth.yaml", repo.parent / "specs" / "released" / "old.yaml")
    ok, lines = gate(repo)
    assert not ok and any(
        line.startswith("old: FAIL: specs/released/old.yaml has no service") for line in lines
    )


def test_release_refuses_when_the_gate_fails_and_moves_forward_when_it_passes(repo: Path) -> None:
    released = repo.parent / "specs" / "released" / "auth.yaml"
    spec_edit(repo, "auth", add_409, "1.1.0")
    before = released.read_bytes()
    ok, lines = release(repo)
    assert not ok and lines[-1] == "make release: refused, make compat fails"
    assert released.read_bytes() == before
    spec_edit(repo, "auth", lambda d: None, "2.0.0")
    ok, lines = release(repo)
    assert ok and lines[-1] == "auth: released 2.0.0 (was 1.0.0)"
    assert released.read_bytes() == (repo.parent / "specs" / "auth.yaml").read_bytes()
    assert gate(repo) == (True, ["auth: unchanged (2.0.0)", "info: unchanged (1.0.0)", "make compat: ok"])


def test_the_gate_command_exits_1_on_failure(repo: Path) -> None:
    spec_edit(repo, "auth", add_409, None)
    result = subprocess.run(
        [sys.executable, "-m", "tools.compat", "gate", "--registry", str(repo)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1 and result.stdout.rstrip().endswith("make compat: FAILED")


@pytest.mark.parametrize(
    ("old", "new", "major"),
    [
        ("1.0.0", "2.0.0", True),
        ("1.0.0", "1.9.0", False),
        ("0.1.0", "0.2.0", True),
        ("0.1.0", "0.1.1", False),
    ],
)
def test_major_bump(old: str, new: str, major: bool) -> None:
    assert major_bumped(old, new) is major


@pytest.mark.parametrize("args", [[], ["specs/auth.yaml"], ["specs/auth.yaml", ""]])
def test_fewer_than_two_files_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err == "spec-compat: error: give two files, OLD and NEW\n"


def test_json_is_read_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    document = yaml.safe_load((ROOT / "specs" / "auth.yaml").read_text())
    (tmp_path / "auth.json").write_text(json.dumps(document))
    assert main([str(ROOT / "specs" / "auth.yaml"), str(tmp_path / "auth.json")]) == 0
    assert "no changes" in capsys.readouterr().out
