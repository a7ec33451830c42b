"""One rule for "in CI", shared by every test that needs a tool the machine may lack.

In CI (`CI` set to 1, true or yes, in any case, as GitHub Actions, GitLab and most runners set it)
a missing tool fails the test: a suite that silently skips proves nothing. Locally it skips, and
says how to install the tool.
"""

import os
import shutil

import pytest

_TRUE = {"1", "true", "yes"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in _TRUE


def missing(message: str, *, module: bool = False) -> None:
    """Fail in CI, skip otherwise (the whole module when `module`), with `message`."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=module)


def require_tool(name: str, install: str, *, module: bool = False) -> str:
    """The path of executable `name`; missing, fail in CI and skip locally, saying `install`."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is missing ({install}); in CI this is a failure", module=module)
    assert path is not None
    return path
