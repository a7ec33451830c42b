"""`make compat` and `make release` (tools/compat/gate.py): every registered spec against its
released version, in-process on a copy of the registry; the command itself once, as a process."""

import functools
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.tools.compat_edits import add_409, add_endpoint
from tools.compat import gate as gate_module
from tools.compat.gate import (
    check,
    gate,
    main,
    major_bumped,
    next_major,
    release,
    released_spec,
    semver,
    stale,
)
from tools.registry import ROOT, service, services


@pytest.fixture(autouse=True)
def the_repos_released_contracts_stay_as_they_are() -> Iterator[None]:
    """`make mutate` found it: `release(registry)` with `released_spec(registry)` for
    `released_spec(each, registry)` copies a spec into the repo's own specs/released/. Such a test
    fails here, and the folder is put back."""
    folder = ROOT / "specs" / "released"
    before = {path: path.read_bytes() for path in folder.iterdir()}
    yield
    after = {path: path.read_bytes() for path in folder.iterdir()}
    for path in after.keys() - before.keys():
        path.unlink()
    for path, content in before.items():
        if after.get(path) != content:
            path.write_bytes(content)
    assert after == before, "a test wrote into the repo's specs/released/"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the registry, the specs and info's source, every spec released as it is, at 1.0.0.

    Independent of whatever the repo's own specs hold unreleased today."""
    shutil.copy(ROOT / "services.toml", tmp_path)
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    for path in (tmp_path / "specs").glob("*.yaml"):
        text = at_1_0_0(path.name)
        path.write_text(text)
        (tmp_path / "specs" / "released" / path.name).write_text(text)
    shutil.copytree(
        ROOT / "info_service", tmp_path / "info_service", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path / "services.toml"


def load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)  # libyaml's safe loader: 10x faster


def dump(document: Any) -> str:
    return yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False)


@functools.cache
def at_1_0_0(spec: str) -> str:
    """The repo's `specs/<spec>` as version 1.0.0 (made once: every `repo` copy starts from it)."""
    document = load((ROOT / "specs" / spec).read_text())
    document["info"]["version"] = "1.0.0"
    return dump(document)


def spec_edit(registry: Path, name: str, edit, version: str | None) -> None:
    path = registry.parent / "specs" / f"{name}.yaml"
    document = load(path.read_text())
    edit(document)
    if version:
        document["info"]["version"] = version
    path.write_text(dump(document))


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


@pytest.mark.processes
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


def test_a_pre_release_sorts_before_its_release_and_build_metadata_is_accepted() -> None:
    assert semver("2.0.0-rc.1") < semver("2.0.0") < semver("2.0.1") < semver("2.1.0") < semver("10.0.0")
    assert semver("2.0.0-rc.1") < semver("2.0.0-rc.2")
    assert semver("1.2.3+build.7") == (1, 2, 3, 1, "")
    assert semver("1.2.3-beta.1+build") == (1, 2, 3, 0, "beta.1")


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0.0", "1.0.0-", " 1.0.0", "1.0.0 "])
def test_a_version_that_is_not_semver_is_refused(version: str) -> None:
    with pytest.raises(ValueError, match=r"^info.version '.*' is not semver \(MAJOR.MINOR.PATCH\)$"):
        semver(version)


@pytest.mark.parametrize(
    ("old", "new", "major"),
    [
        ("0.1.0", "1.0.0", True),
        ("0.1.3", "0.1.9", False),
        ("1.4.0", "1.5.0", False),
        ("1.9.9", "2.0.0", True),
    ],
)
def test_major_bump_at_the_edges(old: str, new: str, major: bool) -> None:
    assert major_bumped(old, new) is major


def test_the_next_major_version() -> None:
    assert next_major("0.3.1") == "0.4.0"
    assert next_major("1.4.2") == "2.0.0"
    assert next_major("0.0.5") == "0.1.0"


def test_the_released_spec_is_under_specs_released(repo: Path) -> None:
    auth = service("auth", repo)
    assert released_spec(auth, repo) == repo.parent / "specs" / "released" / "auth.yaml"
    assert released_spec(auth) == ROOT / "specs" / "released" / "auth.yaml"


def test_a_new_version_without_a_change_passes(repo: Path) -> None:
    spec_edit(repo, "auth", lambda d: None, "1.0.1")
    verdict = check(service("auth", repo), repo)
    assert (verdict.ok, verdict.summary, verdict.changelog) == (
        True,
        "1.0.0 -> 1.0.1, no change but the version",
        [],
    )


def test_an_older_version_without_a_change_fails(repo: Path) -> None:
    spec_edit(repo, "auth", lambda d: None, "0.9.0")
    verdict = check(service("auth", repo), repo)
    assert (verdict.ok, verdict.summary) == (False, "FAIL: version went back from 1.0.0 to 0.9.0")


def test_an_older_version_with_a_change_fails_and_lists_it(repo: Path) -> None:
    spec_edit(repo, "auth", add_endpoint, "0.9.0")
    verdict = check(service("auth", repo), repo)
    assert (verdict.ok, verdict.summary) == (False, "FAIL: version went back from 1.0.0 to 0.9.0")
    assert verdict.changelog[:2] == [
        "specs/released/auth.yaml (1.0.0) -> specs/auth.yaml (0.9.0)",
        "  0 breaking, 1 not breaking",
    ]


def test_a_breaking_change_without_a_new_version_asks_for_a_major_one(repo: Path) -> None:
    spec_edit(repo, "auth", add_409, None)
    verdict = check(service("auth", repo), repo)
    assert not verdict.ok
    assert verdict.summary == (
        "FAIL: the spec changed but its version is still 1.0.0: bump it, a major version (it breaks callers)"
    )
    assert "  BREAKING response-non-success-status-added [response]" in verdict.changelog


def test_a_breaking_change_under_1_0_needs_a_new_minor(repo: Path) -> None:
    for path in (repo.parent / "specs").rglob("auth.yaml"):
        document = load(path.read_text())
        document["info"]["version"] = "0.3.0"
        path.write_text(dump(document))
    spec_edit(repo, "auth", add_409, "0.3.1")
    verdict = check(service("auth", repo), repo)
    assert (verdict.ok, verdict.summary) == (
        False,
        "FAIL: 1 breaking change(s) need a major version, 0.4.0 (0.3.0 -> 0.3.1 is not one)",
    )
    spec_edit(repo, "auth", lambda d: None, "0.4.0")
    verdict = check(service("auth", repo), repo)
    assert (verdict.ok, verdict.summary) == (
        True,
        "0.3.0 -> 0.4.0: major version, 1 breaking change(s) announced",
    )


def test_a_version_that_is_not_semver_fails_the_gate(repo: Path) -> None:
    spec_edit(repo, "auth", lambda d: None, "two")
    verdict = check(service("auth", repo), repo)
    assert (verdict.ok, verdict.summary) == (
        False,
        "FAIL: info.version 'two' is not semver (MAJOR.MINOR.PATCH)",
    )


def test_a_spec_that_does_not_load_fails_the_gate_with_its_error(repo: Path) -> None:
    (repo.parent / "specs" / "auth.yaml").write_text("openapi: 2.0.0\n")
    verdict = check(service("auth", repo), repo)
    assert not verdict.ok and verdict.changelog == []
    assert (
        verdict.summary
        == f"FAIL: {repo.parent / 'specs' / 'auth.yaml'}: not an OpenAPI 3.x document (openapi: '2.0.0')"
    )
    (repo.parent / "specs" / "released" / "auth.yaml").unlink()
    verdict = check(service("auth", repo), repo)
    assert (verdict.ok, verdict.summary) == (
        False,
        f"FAIL: {repo.parent / 'specs' / 'auth.yaml'}: not an OpenAPI 3.x document (openapi: '2.0.0')",
    )


def test_a_failing_verdict_names_its_service(repo: Path) -> None:
    (repo.parent / "specs" / "info.yaml").write_text("openapi: 2.0.0\n")
    assert check(service("info", repo), repo).name == "info"
    (repo.parent / "specs" / "released" / "info.yaml").unlink()
    assert check(service("info", repo), repo).name == "info"


def test_the_changelog_names_the_consumers_of_the_registry_checked(repo: Path) -> None:
    """A registry where info calls nobody: the gate must not read the repo's own registry."""
    registry = repo.read_text().replace('uses = ["auth"]', "uses = []")
    assert registry != repo.read_text()
    repo.write_text(registry)
    spec_edit(repo, "auth", add_409, "2.0.0")
    assert "           who:  breaks outside callers only (no registered service calls this contract)" in (
        check(service("auth", repo), repo).changelog
    )


def test_release_moves_every_changed_contract_past_an_unchanged_one(repo: Path) -> None:
    spec_edit(repo, "info", add_endpoint_to_info, "1.1.0")
    ok, lines = release(repo)
    assert ok and lines[-1] == "info: released 1.1.0 (was 1.0.0)"


def add_endpoint_to_info(document: dict[str, Any]) -> None:
    document["paths"]["/version"] = {
        "get": {"operationId": "version", "responses": {"204": {"description": "-"}}}
    }


def test_a_stale_released_contract_says_how_to_confirm(repo: Path) -> None:
    folder = repo.parent / "specs" / "released"
    shutil.copy(folder / "auth.yaml", folder / "b.yaml")
    shutil.copy(folder / "auth.yaml", folder / "a.yaml")
    (folder / "notes.txt").write_text("not a contract")
    assert [(v.name, v.ok, v.summary) for v in stale(repo)] == [
        (
            name,
            False,
            f"FAIL: specs/released/{name}.yaml has no service in services.toml: removing a service breaks "
            "its callers; delete the file to confirm",
        )
        for name in ("a", "b")
    ]


def test_the_gate_prints_each_verdict_then_its_changelog(repo: Path) -> None:
    spec_edit(repo, "auth", add_409, "2.0.0")
    ok, lines = gate(repo)
    assert ok
    assert lines[0] == "auth: 1.0.0 -> 2.0.0: major version, 1 breaking change(s) announced"
    assert lines[1] == "specs/released/auth.yaml (1.0.0) -> specs/auth.yaml (2.0.0)"
    assert lines[-2:] == ["info: unchanged (1.0.0)", "make compat: ok"]


def test_release_of_a_new_service_creates_its_released_contract(repo: Path) -> None:
    shutil.rmtree(repo.parent / "specs" / "released")
    ok, lines = release(repo)
    assert ok
    assert lines[-2:] == ["auth: released 1.0.0", "info: released 1.0.0"]
    for each in services(repo):
        assert released_spec(each, repo).read_bytes() == each.spec.read_bytes()
    assert release(repo) == (
        True,
        [
            "auth: unchanged (1.0.0)",
            "info: unchanged (1.0.0)",
            "make compat: ok",
            "make release: nothing to release",
        ],
    )


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["gate", "release"],
        ["check"],
        ["gate", "--registry"],
        ["gate", "--config", "x"],
        ["gate", "a", "b", "c"],
    ],
)
def test_a_wrong_command_line_exits_2_with_the_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "usage: python -m tools.compat {gate|release} [--registry services.toml]\n"


def test_the_commands_exit_0_or_1_and_print_their_lines(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gate", "--registry", str(repo)]) == 0
    assert capsys.readouterr().out == "auth: unchanged (1.0.0)\ninfo: unchanged (1.0.0)\nmake compat: ok\n"
    spec_edit(repo, "auth", add_endpoint, None)
    assert main(["release", "--registry", str(repo)]) == 1
    assert capsys.readouterr().out.endswith("make compat: FAILED\nmake release: refused, make compat fails\n")
    spec_edit(repo, "auth", lambda d: None, "1.1.0")
    assert main(["release", "--registry", str(repo)]) == 0
    assert capsys.readouterr().out.endswith("make compat: ok\nauth: released 1.1.0 (was 1.0.0)\n")


def test_the_commands_read_the_repos_registry_by_default(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against a copy: a mutant that turns `gate` into `release` must not write into the repo."""
    monkeypatch.setattr(gate_module, "REGISTRY", repo)
    spec_edit(repo, "auth", add_endpoint, "1.1.0")
    assert main(["gate"]) == 0
    assert capsys.readouterr().out == "auth: 1.0.0 -> 1.1.0: compatible\n" + "".join(
        f"{line}\n" for line in gate(repo)[1][1:]
    )
