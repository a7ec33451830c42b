"""Committed generated code is exactly what `make generate` makes from specs/ today."""

import filecmp
import shutil
import subprocess
from pathlib import Path

from tests.servers import ROOT

GENERATED = ["auth_service/models.py", "info_service/models.py", "clients/auth_client"]


def files_under(root: Path, relative: str) -> set[str]:
    path = root / relative
    if path.is_file():
        return {relative}
    return {
        str(file.relative_to(root))
        for file in path.rglob("*")
        if file.is_file() and "__pycache__" not in file.parts and ".ruff_cache" not in file.parts
    }


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
