"""`python -m bench.profile`: where the CPU of one GET /info/ goes, layer by layer, in a minute.

Each service's app runs in a fresh process of its own, served in-process by uvicorn's own HTTP
protocol (httptools) on uvloop, as `make run` serves it, over a stand-in for the socket: one
keep-alive connection, one request at a time. Info's app calls a real auth process through the
real generated client and transport; auth's app answers the POST /login/ info sends. Each process
measures its CPU per request without the profiler (`time.process_time`, before and after the
profiled run), then under cProfile (CPU clock), and bench/layers.py adds the self time of every
function to a layer by the file it lives in.

cProfile adds a fixed cost to each call it sees, so its raw figures overstate layers made of many
small calls. The µs column removes that overhead in proportion to each layer's calls (the total
overhead is profiled minus unprofiled CPU), so the layers add up to the unprofiled CPU per request
of the same run. Not a substitute for `make bench` (no concurrency, no socket I/O of the incoming
side): it says which layer a change of CPU comes from. The raw profiles (`info.prof`, `auth.prof`)
open with `python -m pstats` or snakeviz.
"""

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import uvicorn
import uvloop
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from bench.layers import OTHER, attribute, layer_of
from bench.load import cpu_seconds
from bench.variants import ANSWER, PRODUCTION, QUIET, TOKEN
from tools.launch import Service
from tools.registry import ROOT

REQUESTS = {
    "info": f"GET /info/ HTTP/1.1\r\nHost: bench\r\nAuthorization: {TOKEN}\r\n\r\n".encode(),
    # What info's generated client sends to auth (captured), the caller's address forwarded.
    "auth": (
        "POST /login/ HTTP/1.1\r\nhost: 127.0.0.1:8001\r\ncontent-length: 0\r\naccept: */*\r\n"
        "accept-encoding: gzip, deflate\r\nconnection: keep-alive\r\nuser-agent: python-httpx/0.28.1\r\n"
        "x-request-id: 83203e8f2e9a4853920cc80182cda00a\r\nx-forwarded-for: 127.0.0.1\r\n"
        f"authorization: {TOKEN}\r\n\r\n"
    ).encode(),
}


class _Socket(asyncio.Transport):
    """What uvicorn's protocol writes to: kept in memory, for the driver to read."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class InProcessServer:
    """One keep-alive connection to `app`, through uvicorn's httptools protocol (as served)."""

    def __init__(self, app: Any, state: Mapping[str, Any]) -> None:
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", http="httptools")
        config.load()
        self.server_state = ServerState()
        self.protocol = HttpToolsProtocol(config, self.server_state, dict(state), asyncio.get_running_loop())
        self.socket = _Socket()
        self.protocol.connection_made(self.socket)

    async def request(self, raw: bytes) -> bytes:
        """Sends one request and returns the whole response once the app has finished it."""
        self.socket.written.clear()
        self.protocol.data_received(raw)
        await asyncio.gather(*[task for task in self.server_state.tasks if not task.done()])
        return bytes(self.socket.written)

    async def drive(self, raw: bytes, requests: int, expect: bytes) -> None:
        for _ in range(requests):
            answer = await self.request(raw)
            if not answer.startswith(expect):
                raise RuntimeError(f"expected {expect!r}, got {answer[:300]!r}")


class Sampler:
    """A CPU-time sampling profiler on the standard library: SIGPROF every `interval` s of CPU.

    Each sample is charged to the layer of the innermost Python frame that names one (bench/layers.py):
    C code is charged to the Python frame that called it, a stdlib helper to its caller. The kernel
    delivers SIGPROF at its scheduler tick (4 ms here), so a sample lands in proportion to CPU time.
    """

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.layers: Counter[str] = Counter()
        self.functions: Counter[tuple[str, int, str]] = Counter()
        self.function_layer: dict[tuple[str, int, str], str] = {}
        self._layer_of: dict[CodeType, str] = {}

    def _sample(self, _: int, frame: FrameType | None) -> None:
        if frame is None:
            return
        code = frame.f_code
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        self.functions[key] += 1
        layer = self._layer_of.get(code)
        if layer is None:
            own = layer_of(code.co_filename, code.co_name)
            if own is not None:  # a function's own layer never changes
                layer = self._layer_of[code] = own
            else:
                layer = self._callers_layer(frame.f_back)
        self.layers[layer] += 1
        self.function_layer[key] = layer

    @staticmethod
    def _callers_layer(frame: FrameType | None) -> str:
        while frame is not None:
            if (found := layer_of(frame.f_code.co_filename, frame.f_code.co_name)) is not None:
                return found
            frame = frame.f_back
        return OTHER

    def __enter__(self) -> "Sampler":
        self._previous = signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *_: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, self._previous)


@dataclass(frozen=True)
class Profile:
    """One app's CPU per request, unprofiled, and how its samples and calls fall into layers."""

    app: str
    requests: int
    unprofiled_us: float  # CPU per request, no profiler
    sampled_us: float  # CPU per request while sampling (the sampler's cost included)
    samples: dict[str, int]  # layer -> samples
    calls: dict[str, float]  # layer -> calls per request (cProfile, a separate run)
    top: list[tuple[str, str, int]]  # (function, layer, samples) of the most sampled functions
    auth_process_us: float | None = None  # info only: the auth process's CPU per request meanwhile

    def us_per_request(self) -> dict[str, float]:
        """Each layer's share of the samples times the unprofiled CPU per request: they add up to it."""
        total = sum(self.samples.values())
        return {layer: n / total * self.unprofiled_us for layer, n in self.samples.items()} if total else {}


def _measure(name: str, requests: int, warm: int, out: Path) -> Profile:
    """In the child process: one app, warmed, measured, sampled, measured again, counted.

    The profilers are on around the event loop's `run_until_complete`, so that the loop's own C work
    (uvloop: sockets, timers, callbacks) is charged to the event loop.
    """
    auth: Service | None = None
    if name == "info":
        auth = Service("auth_service:app", PRODUCTION, args=QUIET).start(timeout=180)
        os.environ["AUTH_URL"] = auth.url
        from info_service import create_app as create_info

        app = create_info(tune_gc=True)
    else:
        from auth_service import create_app as create_auth

        app = create_auth(tune_gc=True)
    raw, expect = REQUESTS[name], b"HTTP/1.1 200 OK"
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            lifespan = AsyncExitStack()
            state = runner.run(lifespan.enter_async_context(app.router.lifespan_context(app)))
            server = runner.run(_serve(app, state or {}))
            if name == "info" and not runner.run(server.request(raw)).endswith(ANSWER):
                raise RuntimeError("GET /info/ did not answer the body")
            runner.run(server.drive(raw, warm, expect))
            auth_before = cpu_seconds(auth.process.pid) if auth and auth.process else 0.0
            began = time.process_time()
            runner.run(server.drive(raw, requests, expect))
            unprofiled = time.process_time() - began
            auth_cpu = (cpu_seconds(auth.process.pid) if auth and auth.process else 0.0) - auth_before
            began = time.process_time()
            with Sampler() as sampler:  # twice as long: more samples
                runner.run(server.drive(raw, 2 * requests, expect))
            sampled = (time.process_time() - began) / 2
            began = time.process_time()
            runner.run(server.drive(raw, requests, expect))
            unprofiled = (unprofiled + time.process_time() - began) / 2
            counted = max(50, requests // 10)  # call counts barely vary from request to request
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(runner.run, server.drive(raw, counted, expect))
            runner.run(lifespan.aclose())
    finally:
        if auth:
            auth.close()
    profiler.dump_stats(out / f"{name}.prof")
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]  # the raw table is not in the stubs
    top = [(_name(f), sampler.function_layer[f], n) for f, n in sampler.functions.most_common(15)]
    return Profile(
        name,
        requests,
        unprofiled / requests * 1e6,
        sampled / requests * 1e6,
        dict(sampler.layers),
        {layer: c / counted for layer, (_, c) in attribute(stats).items()},
        top,
        auth_process_us=auth_cpu / requests * 1e6 if auth else None,
    )


async def _serve(app: Any, state: Mapping[str, Any]) -> "InProcessServer":
    return InProcessServer(app, state)


def _name(function: tuple[str, int, str]) -> str:
    filename, line, name = function
    if filename == "~":
        return name
    path = Path(filename)
    shown = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    if "site-packages" in path.parts:
        shown = "/".join(path.parts[path.parts.index("site-packages") + 1 :])
    return f"{shown}:{line} {name}"


def run(requests: int, warm: int, out: Path) -> list[Profile]:
    """Each app in a fresh process (info first, then auth), with the production settings."""
    out.mkdir(parents=True, exist_ok=True)
    found = []
    # Auth's request costs a quarter of info's: four times as many give it as many samples.
    for name, count in (("info", requests), ("auth", 4 * requests)):
        finished = subprocess.run(  # noqa: S603 -- our own module, with our own arguments
            [
                sys.executable,
                "-m",
                "bench.profile",
                "--one",
                name,
                *("--requests", str(count)),
                *("--warm", str(warm)),
                *("--out", str(out)),
            ],
            env={**os.environ, **PRODUCTION},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if finished.returncode != 0:
            raise RuntimeError(f"bench.profile {name}: {finished.stderr[-3000:]}")
        data = json.loads(finished.stdout.strip().splitlines()[-1])
        found.append(Profile(**{**data, "top": [tuple(each) for each in data["top"]]}))
    return found


def markdown(profiles: list[Profile], command: str) -> str:
    lines = [
        "## Where the CPU goes, per layer (`python -m bench.profile`)",
        "",
        f"`{command}`. Each app in its own process, served in-process by uvicorn's httptools protocol "
        "on uvloop over an in-memory socket, one request at a time; info calls a real auth process. "
        "**µs/req** is the layer's share of CPU-time samples (SIGPROF, charged to the innermost Python "
        "frame that names a layer: C code to its Python caller, stdlib helpers to theirs; "
        "bench/layers.py) times the app's **unprofiled** CPU per request, measured in the same process "
        "before and after the sampled run: the column adds up to it. **calls/req** counts Python and "
        "C calls per request under cProfile (a separate run; `<app>.prof` beside this report opens "
        "with `python -m pstats`).",
    ]
    for profile in profiles:
        us = profile.us_per_request()
        extra = (
            f"; the auth process meanwhile: {profile.auth_process_us:,.0f} µs/req"
            if profile.auth_process_us is not None
            else ""
        )
        total = sum(profile.samples.values())
        lines += [
            "",
            f"### {profile.app}: {profile.unprofiled_us:,.0f} µs of CPU per request unprofiled",
            "",
            f"{profile.requests:,} requests a run unprofiled, twice that sampled: {total:,} samples "
            f"({profile.sampled_us:,.0f} µs/req while sampling){extra}.",
            "",
            "| layer | µs/req | share | samples | calls/req |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for layer in sorted(set(us) | set(profile.calls), key=lambda name: (-us.get(name, 0.0), name)):
            lines.append(
                f"| {layer} | {us.get(layer, 0.0):,.0f} | {us.get(layer, 0.0) / profile.unprofiled_us:.1%} | "
                f"{profile.samples.get(layer, 0):,} | {profile.calls.get(layer, 0.0):,.1f} |"
            )
        lines += ["", "Most sampled functions (innermost Python frame):", ""]
        lines += [f"- `{f}` ({layer}): {n / total:.1%}" for f, layer, n in profile.top]
    return "\n".join(lines) + "\n"


def write(profiles: list[Profile], out: Path, command: str) -> str:
    text = markdown(profiles, command)
    (out / "profile.md").write_text(text)
    data = [asdict(p) | {"us_per_request": p.us_per_request()} for p in profiles]
    (out / "profile.json").write_text(json.dumps(data, indent=2) + "\n")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="info's per run (auth gets 4x)")
    parser.add_argument("--warm", type=int, default=300, help="requests first, unmeasured")
    parser.add_argument(
        "--smoke", action="store_true", help="seconds: checks the harness, figures mean little"
    )
    parser.add_argument("--out", type=Path, default=Path("reports/bench"))
    parser.add_argument("--one", choices=["info", "auth"], help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.smoke:
        options.requests, options.warm = 60, 20
    if options.one:
        print(json.dumps(asdict(_measure(options.one, options.requests, options.warm, options.out))))
        return 0
    command = "python -m bench.profile" + (" --smoke" if options.smoke else "")
    print(write(run(options.requests, options.warm, options.out), options.out, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
