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
from collections.abc import Awaitable, Callable
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


async def _layers(calls: int, rounds: int) -> dict[str, float]:
    """CPU µs per call of each layer's entry point over the in-memory transport, in interleaved
    rounds: each layer's own cost is the difference with the one below."""
    from clients.auth_client.api.auth import login
    from info_service.auth import AuthGateway
    from info_service.auth_http import auth_http_client, caller_authorization, generated_client
    from info_service.config import CallsToAuth

    transport, settings = _Canned(), CallsToAuth()
    async with auth_http_client(settings, transport) as http:
        client = generated_client(http)
        gateway = AuthGateway(client, settings)
        caller_authorization.set(TOKEN)
        sent = httpx.Request("POST", "http://auth/login/")
        headers = {"X-Request-ID": "bench-1", "X-Forwarded-For": "127.0.0.1"}
        entries: dict[str, Callable[[], Awaitable[object]]] = {
            "transport (in memory)": lambda: transport.handle_async_request(sent),
            "our httpx client": lambda: http.request(method="post", url="/login/", headers=headers),
            "generated client": lambda: login.asyncio_detailed(
                client=client, x_request_id="bench-1", x_forwarded_for="127.0.0.1"
            ),
            "gateway (breaker, retry, metrics)": lambda: gateway.subject_for(TOKEN, "bench-1", "127.0.0.1"),
        }
        found: dict[str, list[float]] = {name: [] for name in entries}
        for _ in range(rounds):
            for name, entry in entries.items():
                started = time.process_time()
                for _ in range(calls):
                    await entry()
                found[name].append((time.process_time() - started) / calls * 1e6)
    return {name: statistics.median(runs) for name, runs in found.items()}


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
    parser.add_argument("--layers", action="store_true", help="each layer's cost, in memory, this tree")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.layers:
        below = 0.0
        print(f"CPU µs per call, each layer with those below it: median of {options.rounds} rounds")
        for name, cost in asyncio.run(_layers(options.calls or 3000, options.rounds)).items():
            print(f"{name}: {cost:.1f} (+{cost - below:.1f})")
            below = cost
        return 0
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
