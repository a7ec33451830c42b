"""Wait until every URL answers 200: `python -m tools.wait_ready URL... [--timeout 60]`.

`make up` uses it on each service's /readyz: podman runs no healthchecks by itself where systemd
is absent, and ignores `depends_on: condition: service_healthy`, so the caller polls.
"""

import argparse
import sys
import time
import urllib.error
import urllib.request


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- http(s) URLs from make
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(urls: list[str], timeout: float = 60.0, interval: float = 0.2) -> list[str]:
    """The URLs still not ready when `timeout` seconds have passed (empty: all ready)."""
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending:
        pending = [url for url in pending if not is_ready(url)]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(interval)
    return pending


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.wait_ready")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    pending = wait_ready(args.urls, args.timeout)
    for url in pending:
        print(f"not ready after {args.timeout:g} s: {url}", file=sys.stderr)
    if not pending:
        print("ready: " + " ".join(args.urls))
    return 1 if pending else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
