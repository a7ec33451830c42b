"""Headless Chromium for the browser tests: where it is, how to launch it, what it may fetch.

Playwright drives the system's Chromium (Debian package `chromium`): Playwright's own browser
download needs the internet. Without Chromium the tests skip locally and fail in CI
(tests/ci.py), where `.ci/run` installs it.
"""

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.ci import missing
from tools.registry import ROOT

ARTIFACTS = ROOT / "reports" / "browser"  # screenshots; git-ignored, kept by CI
DEFAULT_CHROMIUM = "/usr/bin/chromium"
LOCAL_HOST = "127.0.0.1"

# --no-sandbox: Chromium's sandbox refuses to run as root. The background-networking flags stop
# Chromium's own calls home (updates, sync, field trials): on a closed network they are refused
# and slow every launch.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> str:
    """The Chromium executable (`$CHROMIUM`, else `chromium` on PATH, else /usr/bin/chromium).

    Missing, it skips the test locally with how to install it, and fails it in CI.
    """
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or DEFAULT_CHROMIUM
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    message = (
        f"Chromium not found at {candidate}: the browser tests need it. Install it with "
        "`apt-get install chromium` (.ci/run does), or point $CHROMIUM at a Chromium executable."
    )
    missing(message)
    raise AssertionError("unreachable")  # pragma: no cover -- missing() skips or fails


def is_local(url: str) -> bool:
    """Whether a request stays on this machine: to 127.0.0.1, or in-page (data:, blob:)."""
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob"} or parts.hostname == LOCAL_HOST


@dataclass
class Traffic:
    """Every request a browser context made, and the ones that would have left the machine."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def local_paths(self) -> set[str]:
        return {urlsplit(url).path for url in self.requests if is_local(url)}
