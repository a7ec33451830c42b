"""Without podman the deploy tests skip locally, saying how to get it, and fail in CI."""

import pytest

from tests.deploy.podman import podman_or_skip


@pytest.fixture
def no_podman(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))


def test_missing_podman_skips_locally_saying_how_to_install_it(no_podman, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install podman"):
        podman_or_skip()


@pytest.mark.parametrize("ci", ["true", "1", "YES"])
def test_missing_podman_fails_in_ci(no_podman, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="podman is missing"):
        podman_or_skip()


def test_podman_is_found_on_the_path(monkeypatch, tmp_path):
    fake = tmp_path / "podman"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert podman_or_skip() == str(fake)
