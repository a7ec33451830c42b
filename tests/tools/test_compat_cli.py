"""`spec-compat OLD NEW` (tools/compat/cli.py): in-process through `main`, and as the user runs it
(the console script, `make compat OLD=... NEW=...`: those tests are marked `processes`)."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.contract.openapi import load_spec
from tests.tools.compat_edits import add_409, add_endpoint
from tools.compat.cli import main
from tools.registry import ROOT

SPEC_COMPAT = Path(sys.executable).parent / "spec-compat"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SPEC_COMPAT), *args], capture_output=True, text=True, check=False, cwd=ROOT)


def edited(tmp_path: Path, name: str, edit, version: str | None = None) -> Path:
    document = load_spec(name)
    edit(document)
    if version:
        document["info"]["version"] = version
    path = tmp_path / f"{name}-new.yaml"
    path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False))
    return path


# --- spec-compat ----------------------------------------------------------------------------------
@pytest.mark.processes
def test_the_same_file_is_compatible() -> None:
    result = run("specs/auth.yaml", "specs/auth.yaml")
    assert result.returncode == 0, result.stderr
    assert "no changes" in result.stdout


def test_a_new_endpoint_is_compatible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(ROOT / "specs/auth.yaml"), str(edited(tmp_path, "auth", add_endpoint, "1.1.0"))]) == 0
    assert "ok       endpoint-added [operation]" in capsys.readouterr().out


@pytest.mark.processes
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


@pytest.mark.processes
def test_the_console_script_exits_2_with_one_line_for_a_missing_file(tmp_path: Path) -> None:
    result = run("specs/auth.yaml", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr == f"spec-compat: error: {tmp_path / 'nope.yaml'}: no such file\n"


@pytest.mark.processes
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


@pytest.mark.parametrize("args", [[], ["specs/auth.yaml"], ["specs/auth.yaml", ""]])
def test_fewer_than_two_files_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err == "spec-compat: error: give two files, OLD and NEW\n"


def test_json_is_read_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    document = load_spec("auth")
    (tmp_path / "auth.json").write_text(json.dumps(document))
    assert main([str(ROOT / "specs" / "auth.yaml"), str(tmp_path / "auth.json")]) == 0
    assert "no changes" in capsys.readouterr().out


WHO_INFO = "           who:  breaks info, which calls login (POST /login/)"
WHO_NOBODY = "           who:  breaks outside callers only (no registered service calls this contract)"


def without_login_400(document) -> None:
    del document["paths"]["/login/"]["post"]["responses"]["400"]


def test_a_breaking_change_exits_1_and_names_the_consumers_of_the_old_files_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(ROOT / "specs/auth.yaml"), str(edited(tmp_path, "auth", add_409))]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "  BREAKING response-non-success-status-added [response]" in out
    assert WHO_INFO in out


def test_the_new_file_names_the_service_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """OLD is a scratch file, NEW the released contract: the service is found from NEW."""
    old = edited(tmp_path, "auth", without_login_400)
    assert main([str(old), str(ROOT / "specs/released/auth.yaml")]) == 1
    assert WHO_INFO in capsys.readouterr().out.splitlines()


def test_files_of_no_registered_service_break_outside_callers_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(edited(tmp_path, "auth", lambda d: None).read_text())
    new = edited(tmp_path, "auth", add_409)
    assert main([str(old), str(new)]) == 1
    assert WHO_NOBODY in capsys.readouterr().out.splitlines()
    assert main([str(old), str(new), "--service", "auth"]) == 1
    assert WHO_INFO in capsys.readouterr().out.splitlines()
    assert main([str(old), str(new), "--service", "info"]) == 1
    assert WHO_NOBODY in capsys.readouterr().out.splitlines()


def test_the_service_given_wins_over_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main([str(ROOT / "specs/auth.yaml"), str(edited(tmp_path, "auth", add_409)), "--service", "info"])
        == 1
    )
    assert WHO_NOBODY in capsys.readouterr().out.splitlines()


def test_an_unknown_service_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(ROOT / "specs/auth.yaml"), str(ROOT / "specs/auth.yaml"), "--service", "nope"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "spec-compat: error: no service 'nope' in services.toml\n")


def test_the_rules_are_listed_one_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    from tools.compat.rules import RULES

    assert main(["--rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "rule id | side | breaking | oasdiff id"
    assert len(lines) == len(RULES) + 1
    assert lines[1] == "api-path-removed-without-deprecation | operation | yes | yes"
    assert "api-security-updated | request | yes | ours" in lines
    assert "endpoint-added | operation | no | yes" in lines
    assert "response-closed-schema-property-added | response | yes | ours" in lines
    assert "documentation-changed | document | no | ours" in lines


def test_the_help_says_what_the_exit_codes_mean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: spec-compat [-h] [--service SERVICE] [--rules] [old] [new]\n")
    assert (
        "Compare two OpenAPI 3.x contracts: exit 0 when NEW is compatible with callers of OLD, 1 when it "
        "breaks them, 2 when a file is missing or invalid." in out
    )
    for help in (
        "old                the contract callers were written against",
        "new                the contract to check",
        "--service SERVICE  the registered service whose consumers to check (default: the one whose spec or "
        "released spec is OLD or NEW)",
        "--rules            list the rules and exit",
    ):
        assert help in out
