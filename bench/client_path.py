"""`python -m bench.client_path`: CPU per call of info's client path to auth, in-process.

What it times is `AuthGateway.subject_for`, the whole client path above the transport: the gateway
(breaker, retry, metrics), the generated client, and our httpx client. `memory` answers from a
transport in memory, which isolates that layer; `auth` calls a real auth process on a free port
over the production transport. CPU is this process's (`time.process_time`) per call, one call at a
time, after a warm-up.

`--base DIR` (repeatable) compares with other checkouts of the project (e.g. `git archive main |
tar -x -C DIR`): each round runs every tree in a fresh process, in a rotating order, and the
medians are printed side by side.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent.parent
TOKEN = "merixstudio"  # noqa: S105 -- the demo's token


class _Canned(httpx.AsyncBaseTransport):
    """Auth's 200, from memory."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers=[(b"content-type", b"application/json"), (b"content-length", b"18")],
            content=b'{"subject":"demo"}',
        )


async def _calls(mode: str, calls: int) -> float:
    from info_service.auth import AuthGateway
    from info_service.auth_http import auth_http_client, generated_client
    from info_service.config import CallsToAuth

    async def run(settings: CallsToAuth, transport: httpx.AsyncBaseTransport | None) -> float:
        async with auth_http_client(settings, transport) as http:
            gateway = AuthGateway(generated_client(http), settings)
            for _ in range(max(300, calls // 10)):  # warm: the pool filled, lazy imports done
                assert await gateway.subject_for(TOKEN, "bench-1", "127.0.0.1") == "demo"
            started = time.process_time()
            for _ in range(calls):
                await gateway.subject_for(TOKEN, "bench-1", "127.0.0.1")
            return (time.process_time() - started) / calls * 1e6

    if mode == "memory":
        return await run(CallsToAuth(), _Canned())
    from tools.launch import Service

    auth = Service("auth_service:app", {"LOG_LEVEL": "WARNING"}, args=["--log-level", "warning"])
    auth.start(timeout=60)
    try:
        return await run(CallsToAuth(auth_url=auth.url), None)
    finally:
        auth.close()


def _one(tree: Path, mode: str, calls: int) -> float:
    finished = subprocess.run(  # noqa: S603 -- this script, with our own arguments
        [sys.executable, __file__, "--one", mode, "--calls", str(calls)],
        env={**os.environ, "PYTHONPATH": str(tree)},
        cwd=tree,
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{tree}: {finished.stderr[-3000:]}")
    return float(json.loads(finished.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.client_path", description=__doc__)
    parser.add_argument("--mode", choices=("memory", "auth"), default="memory")
    parser.add_argument("--calls", type=int, default=0, help="per round (default: 20000 memory, 3000 auth)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--base", type=Path, action="append", default=[], help="a checkout to compare with")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    calls = options.calls or (20_000 if (options.one or options.mode) == "memory" else 3000)
    if options.one:
        print(json.dumps(asyncio.run(_calls(options.one, calls))))
        return 0
    trees = {"this tree": HERE, **{str(base): base.resolve() for base in options.base}}
    found: dict[str, list[float]] = {name: [] for name in trees}
    for round_ in range(options.rounds):
        names = list(trees)
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            found[name].append(_one(trees[name], options.mode, calls))
    print(f"CPU µs per call of the client path ({options.mode}), {options.rounds} rounds of {calls}")
    for name, runs in found.items():
        print(f"{name}: median {statistics.median(runs):.1f}  runs {' '.join(f'{run:.1f}' for run in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
