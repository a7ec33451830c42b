"""`make service`: refusals change nothing; a scaffolded service passes the contract suite as made.

The proof runs in a copy of the repository (the working tree, without ignored files), with the
copy first on the import path and as the working directory, so that its registry, specs and
packages are the ones tested.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.registry import ROOT
from tools.scaffold import Refused, render, scaffold

IGNORED = {
    *(".git", ".venv", ".uv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis"),
    *("reports", "node_modules", "mutants"),  # mutants: what make mutate leaves
}


def copy_of_the_repo(destination: Path) -> Path:
    # `.git` is a file in a git worktree: skipped too, so that nothing in the copy reaches the repo.
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in IGNORED]
        target = destination / Path(folder).relative_to(ROOT)
        target.mkdir(exist_ok=True)
        for name in files:
            if name not in IGNORED:
                shutil.copy2(Path(folder) / name, target / name)
    return destination


def fingerprint(root: Path) -> dict[str, str]:
    """Every file and folder under `root`, with its content's digest."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else "dir"
        for path in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of_the_repo(tmp_path_factory.mktemp("repo"))


@pytest.mark.parametrize(
    ("name", "uses", "reason"),
    [
        ("auth", None, "already registered"),
        ("info", "auth", "already registered"),
        ("Orders", None, "not a valid name"),
        ("9lives", None, "not a valid name"),
        ("orders-api", None, "not a valid name"),
        ("orders__x", None, "not a valid name"),
        ("orders_", None, "not a valid name"),
        ("", None, "not a valid name"),
        ("class", None, "not a valid name"),
        ("orders", "payments", "names no registered service"),
        ("orders", "Auth", "names no registered service"),
    ],
)
def test_a_refusal_changes_nothing(repo, name, uses, reason):
    before = fingerprint(repo)

    with pytest.raises(Refused, match=reason):
        scaffold(name, uses, root=repo)

    assert fingerprint(repo) == before


@pytest.mark.parametrize(
    "taken", ["orders_service/__init__.py", "specs/orders.yaml", "tests/orders_service/x.py"]
)
def test_a_name_whose_files_exist_is_refused_and_nothing_changes(tmp_path, taken):
    repo = copy_of_the_repo(tmp_path)
    (repo / taken).parent.mkdir(parents=True, exist_ok=True)
    (repo / taken).write_text("# someone's work\n")
    before = fingerprint(repo)

    with pytest.raises(Refused, match="already exists"):
        scaffold("orders", None, root=repo)

    assert fingerprint(repo) == before


def test_render_keeps_the_branch_of_each_flag():
    template = "a {{x}}\n#if uses\nuses {{x}}\n#else\nalone\n#endif\n#if !uses\nnot uses\n#endif\nz\n"

    assert render(template, {"x": "1"}, {"uses"}) == "a 1\nuses 1\nz\n"
    assert render(template, {"x": "1"}, set()) == "a 1\nalone\nnot uses\nz\n"
    with pytest.raises(ValueError, match="unknown placeholder"):
        render("{{y}}", {"x": "1"}, set())


@pytest.mark.processes
def test_a_scaffolded_service_passes_the_contract_suite_with_no_hand_edit(tmp_path):
    repo = copy_of_the_repo(tmp_path)
    (repo / ".venv").symlink_to(ROOT / ".venv")  # `make _generate` runs the venv's tools
    env = {**os.environ, "PYTHONPATH": str(repo)}
    scaffold_ = [sys.executable, "-m", "tools.scaffold"]
    for arguments in (["orders", "--uses", "auth"], ["plain"]):
        subprocess.run([*scaffold_, *arguments], cwd=repo, env=env, check=True, capture_output=True)

    # The new services' own tests, and every contract test for them: spec style, routes against
    # the spec both ways, provider fuzzing, real examples (and that each has its case), served
    # spec and docs, generated code fresh, importing builds nothing.
    suite = subprocess.Popen(  # beside the lint: two processes for two cores
        [
            *(
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-m",
                "not processes or processes",
            ),
            "tests/orders_service",
            "tests/plain_service",
            "tests/contract/test_specs.py",
            "tests/contract/test_routes_match_spec.py",
            "tests/contract/test_provider.py",
            "tests/contract/test_examples_are_real.py",
            "tests/common/test_served_contract.py",
            "tests/test_generated_code.py",
            "tests/test_import.py",
            "tests/deploy/test_k8s.py",
            "-k",
            "orders or plain or every_example_has_a_case or generated or importing or kustomization "
            "or every_object",
        ],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # `make lint` as it is, in the copy: ruff, and mypy --strict, whose settings must reach the new
        # packages with no edit. The copied files keep their times, so mypy's cache from the repo
        # (`make test` lints first) stays valid for them and only the new modules are checked.
        if (ROOT / ".mypy_cache").is_dir():
            shutil.copytree(ROOT / ".mypy_cache", repo / ".mypy_cache")
        ruff = str(Path(sys.executable).with_name("ruff"))
        for lint in ([ruff, "check", "."], [ruff, "format", "--check", "."]):
            linted = subprocess.run(lint, cwd=repo, capture_output=True, text=True)
            assert linted.returncode == 0, linted.stdout + linted.stderr
        typed = subprocess.run(
            [sys.executable, "-m", "mypy", "--verbose"], cwd=repo, capture_output=True, text=True
        )
        assert typed.returncode == 0, typed.stdout
        checked = set(re.findall(r"Found source: +BuildSource\(path='\./([^']+)'", typed.stderr))
        for package in ("orders_service", "plain_service", "tests/orders_service", "tests/plain_service"):
            assert {str(path.relative_to(repo)) for path in (repo / package).glob("*.py")} <= checked
        stdout, stderr = suite.communicate()
    finally:
        suite.kill()  # a failed lint leaves no suite running (a no-op once it has ended)
    assert suite.returncode == 0, stdout[-5000:] + stderr[-2000:]
    assert " passed" in stdout and "skipped" not in stdout, stdout[-2000:]
