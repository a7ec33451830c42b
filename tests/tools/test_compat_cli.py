"""`spec-compat OLD NEW` (tools/compat/cli.py): in-process through `main`, and as the user runs it
(the console script, `make compat OLD=... NEW=...`: those tests are marked `processes`)."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.tools.compat_edits import add_409, add_endpoint
from tools.compat.cli import main
from tools.registry import ROOT

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

    document = yaml.safe_load((ROOT / "specs" / "auth.yaml").read_text())
    (tmp_path / "auth.json").write_text(json.dumps(document))
    assert main([str(ROOT / "specs" / "auth.yaml"), str(tmp_path / "auth.json")]) == 0
    assert "no changes" in capsys.readouterr().out
