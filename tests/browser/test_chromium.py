"""Without Chromium the browser tests skip locally, with how to get it, and fail in CI."""

import pytest

from tests.browser.chromium import chromium_or_skip, is_local

pytestmark = pytest.mark.processes


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium-here"))


def test_missing_chromium_skips_locally_saying_how_to_install_it(no_chromium, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium_or_skip()


@pytest.mark.parametrize("ci", ["true", "1", "YES"])
def test_missing_chromium_fails_in_ci(no_chromium, monkeypatch, ci):
    monkeypatch.setenv("CI", ci)

    with pytest.raises(pytest.fail.Exception, match="Chromium not found"):
        chromium_or_skip()


def test_chromium_is_taken_from_the_environment(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(fake))

    assert chromium_or_skip() == str(fake)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000/docs", True),
        ("blob:http://127.0.0.1:8000/0967be0c", True),
        ("data:image/svg+xml;base64,PHN2Zz4=", True),
        ("https://cdn.redoc.ly/redoc/logo-mini.svg", False),
        ("http://localhost:8000/docs", False),  # a name to resolve: not proof of staying local
        ("ws://example.com/socket", False),
    ],
)
def test_only_loopback_and_in_page_urls_count_as_local(url, local):
    assert is_local(url) is local
