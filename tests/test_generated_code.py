"""Committed generated code is exactly what `make generate` makes from specs/ today."""

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.registry import ROOT, client_package, services, used

# Every service's models, and a client for every service another one uses (services.toml).
GENERATED = [f"{each.package}/models.py" for each in services()] + [
    f"clients/{client_package(each.name)}" for each in used()
]


def files_under(root: Path, relative: str) -> set[str]:
    path = root / relative
    if path.is_file():
        return {relative}
    return {
        str(file.relative_to(root))
        for file in path.rglob("*")
        if file.is_file() and "__pycache__" not in file.parts and ".ruff_cache" not in file.parts
    }


@pytest.mark.processes  # runs make
def test_generated_code_is_fresh(tmp_path):
    # datamodel-codegen takes its line length from the pyproject.toml above the output file.
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    subprocess.run(["make", "-s", "_generate", f"DEST={tmp_path}"], cwd=ROOT, check=True, capture_output=True)

    committed = set().union(*(files_under(ROOT, path) for path in GENERATED))
    fresh = set().union(*(files_under(tmp_path, path) for path in GENERATED))
    assert committed == fresh, "generated files differ in name: run `make generate`"
    stale = [path for path in sorted(fresh) if not filecmp.cmp(ROOT / path, tmp_path / path, shallow=False)]
    assert not stale, f"stale generated code, run `make generate`: {stale}"


def test_generated_files_say_so_in_their_header():
    for path in set().union(*(files_under(ROOT, path) for path in GENERATED)):
        first_line = (ROOT / path).read_text().splitlines()[0]
        assert first_line.startswith("# Generated from specs/"), path


def test_every_client_is_of_a_service_some_service_uses():
    clients = {path.name for path in (ROOT / "clients").iterdir() if path.is_dir()}

    assert clients == {client_package(each.name) for each in used()}, "a client no service uses: remove it"
