"""The one rule for "in CI" (tests/ci.py): a missing tool skips locally and fails in CI."""

import pytest

from tests.ci import in_ci, require_tool


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", "YES", " yes "])
def test_these_values_of_ci_mean_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)

    assert in_ci()


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "y", "2", "truee", "ye s"])
def test_anything_else_is_local(monkeypatch, value):
    monkeypatch.setenv("CI", value)

    assert not in_ci()


def test_no_ci_variable_is_local(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    assert not in_ci()


@pytest.fixture
def empty_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def test_a_missing_tool_skips_locally_saying_how_to_install_it(empty_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match=r"wrk is missing \(apt-get install wrk\)"):
        require_tool("wrk", "apt-get install wrk")


@pytest.mark.parametrize("value", ["1", "true", "Yes"])
def test_a_missing_tool_fails_in_ci(empty_path, monkeypatch, value):
    monkeypatch.setenv("CI", value)

    with pytest.raises(pytest.fail.Exception, match="wrk is missing"):
        require_tool("wrk", "apt-get install wrk")


def test_a_present_tool_is_its_path(empty_path, monkeypatch):
    tool = empty_path / "wrk"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("CI", "1")

    assert require_tool("wrk", "apt-get install wrk") == str(tool)
