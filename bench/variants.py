"""What `make bench` compares: each variant is a set of uvicorn processes on free ports."""

import hashlib
import json
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from tools.launch import Service
from tools.otlp import Receiver

TOKEN = "bench-token-not-a-secret"  # noqa: S105 -- configured only in the bench's own processes
ANSWER = b'{"info":"The answer is 42."}'

# The project's services as they would run in production: real tokens, no demo mode, warnings only,
# no access log line per request (the measured cost of one is in the alternatives).
PRODUCTION = {
    "ENVIRONMENT": "production",
    "AUTH_TOKEN_SHA256": json.dumps({"bench": hashlib.sha256(TOKEN.encode()).hexdigest()}),
    "LOG_LEVEL": "WARNING",
    "ACCESS_LOG": "false",
}
QUIET = ["--log-level", "warning"]
# The stack runs one process per service, as issue 14's targets compare it (and as the minimal hop
# and the blog run); "stack, 2 info workers" is the production setting of a 2-core machine (one
# info worker per core: INFO_WORKERS in `make run`).
INFO_WORKERS = 1


@dataclass(frozen=True)
class Variant:
    """`build()` makes the services, load goes to the last one."""

    name: str
    description: str
    build: Callable[[], list[Service]]
    headers: Mapping[str, str] = field(default_factory=lambda: {"Authorization": TOKEN})
    checks_token: bool = True


@dataclass
class Running:
    variant: Variant
    services: list[Service]

    @property
    def url(self) -> str:
        return f"{self.services[-1].url}/info/"

    @property
    def pids(self) -> list[int]:
        return [service.process.pid for service in self.services if service.process is not None]


def stack(
    info_app: str = "info_service:app",
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    info_workers: int = INFO_WORKERS,
    auth_app: str = "auth_service:app",
) -> list[Service]:
    """auth_service and info_service, with `env` and uvicorn `args` on top of production settings.

    With several info workers, their metrics are kept in the client's multiprocess mode, as in
    production (docs/observability.md).
    """
    auth = Service(
        auth_app,
        {**PRODUCTION, **(env or {})},
        args=[*QUIET, *args, *(["--factory"] if auth_app.startswith("bench.") else [])],
    )
    multiprocess = (
        {"PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="bench-metrics-")} if info_workers > 1 else {}
    )
    info = Service(
        info_app,
        {**PRODUCTION, "AUTH_URL": auth.url, **multiprocess, **(env or {})},
        args=[
            *QUIET,
            *args,
            "--workers",
            str(info_workers),
            *(["--factory"] if info_app.startswith("bench.") else []),
        ],
    )
    return [auth, info]


_collector: Receiver | None = None
_collector_lock = threading.Lock()


def tracing(sampler: str, sampler_arg: str | None = None) -> dict[str, str]:
    """Env for tracing on, exported over OTLP/HTTP to a sink in the bench's own process.

    The sink reads each export and answers 200 without decoding it: what a collector costs is not
    the services' cost, and its CPU is not counted with theirs.
    """
    global _collector
    with _collector_lock:
        if _collector is None:
            _collector = Receiver(decode=False)
            threading.Thread(target=_collector.serve_forever, daemon=True).start()
    env = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": _collector.endpoint,
        "OTEL_TRACES_SAMPLER": sampler,
    }
    return env | ({"OTEL_TRACES_SAMPLER_ARG": sampler_arg} if sampler_arg else {})


def minimal() -> list[Service]:
    """bench/minimal.py: the same uvicorn flags as the stack, one process per service."""
    auth = Service(
        "bench.minimal:auth", {"MINIMAL_TOKEN": TOKEN}, args=[*QUIET, "--factory"], ready_path="/openapi.json"
    )
    info = Service(
        "bench.minimal:info",
        {"MINIMAL_AUTH_URL": auth.url},
        args=[*QUIET, "--factory"],
        ready_path="/openapi.json",
    )
    return [auth, info]


def blog() -> list[Service]:
    auth = Service("bench.blog.auth_service:app", args=QUIET, ready_path="/openapi.json")
    info = Service(
        "bench.blog.info_service:app",
        {"BLOG_LOGIN_ENDPOINT": f"{auth.url}/login/"},
        args=QUIET,
        ready_path="/openapi.json",
    )
    return [auth, info]


MAIN = [
    Variant(
        "blog",
        "the blog's design: sync routes, a new connection to auth per request (requests)",
        blog,
        headers={"Authorization": "merixstudio"},
    ),
    Variant("stack", "this project, production settings, one process per service", stack),
    Variant(
        "stack, 2 info workers",
        "the same with info_service in two processes, one per core (production on 2 cores)",
        lambda: stack(info_workers=2),
    ),
    Variant(
        "minimal hop",
        "the limit of the design: an async route asking a bare auth route over one shared aiohttp "
        "session, no contract layers (bench/minimal.py)",
        minimal,
    ),
    Variant(
        "bare",
        "one bare FastAPI route, no auth hop: the bound for one hop",
        lambda: [Service("bench.bare:app", args=QUIET, ready_path="/openapi.json")],
        checks_token=False,
    ),
]

ALTERNATIVES = [
    Variant(
        "httpx transport",
        "the stack with httpx's own transport (httpcore) under the generated client",
        lambda: stack("bench.alternatives:httpx_transport"),
    ),
    Variant(
        "httpx-aiohttp transport",
        "the stack with httpx-aiohttp's AiohttpTransport under the generated client",
        lambda: stack("bench.alternatives:httpx_aiohttp_transport"),
    ),
    Variant(
        "asyncio + h11",
        "the stack on asyncio's own loop and the h11 parser instead of uvloop and httptools",
        lambda: stack(args=["--loop", "asyncio", "--http", "h11"]),
    ),
    Variant(
        "auth cache 2 s",
        "the stack with AUTH_CACHE_TTL=2: auth asked once per token every 2 s (off by default)",
        lambda: stack(env={"AUTH_CACHE_TTL": "2"}),
    ),
    Variant(
        "access logs on",
        "the stack with a JSON access log line per request in both services",
        lambda: stack(env={"LOG_LEVEL": "INFO", "ACCESS_LOG": "true"}),
    ),
    Variant(
        "tracing, every request",
        "the stack with tracing on: OTLP export, the default sampler (parentbased_always_on: 100%)",
        lambda: stack(env=tracing("parentbased_always_on")),
    ),
    Variant(
        "tracing, 10% sampled",
        "the stack with tracing on: OTLP export, parentbased_traceidratio at 0.1",
        lambda: stack(env=tracing("parentbased_traceidratio", "0.1")),
    ),
    Variant(
        "stack floor",
        "not a product: the stack with its server plumbing removed (no middleware, no dependency "
        "injection; same checks, models, client and transport): the least the plumbing could cost "
        "(bench/floor.py)",
        lambda: stack("bench.floor:info", auth_app="bench.floor:auth"),
    ),
    Variant(
        "no metrics",
        "the stack with no request counted (/metrics still served): what the metrics cost",
        lambda: stack(
            "bench.alternatives:info_without_metrics", auth_app="bench.alternatives:auth_without_metrics"
        ),
    ),
]


def start(variant: Variant) -> Running:
    """Starts the variant's services side by side, then checks it answers as it should."""
    services = variant.build()
    try:
        # Minutes, not seconds: on a machine busy with other work, a Python process takes tens of
        # seconds to import a service, and several start at once.
        with ThreadPoolExecutor(len(services)) as pool:
            list(pool.map(lambda service: service.start(timeout=180), services))
        running = Running(variant, services)
        check(running)
    except BaseException:
        for service in services:
            service.close()
        raise
    return running


def check(running: Running) -> None:
    """The bench measures the real answer: 200 and the body with a valid token, 401 without one."""
    answer = httpx.get(running.url, headers=dict(running.variant.headers), timeout=30)
    if answer.status_code != 200 or answer.content != ANSWER:
        raise RuntimeError(f"{running.variant.name}: {answer.status_code} {answer.content!r}")
    if running.variant.checks_token:
        refused = httpx.get(running.url, headers={"Authorization": "wrong-token"}, timeout=30)
        if refused.status_code != 401:
            raise RuntimeError(f"{running.variant.name}: a wrong token got {refused.status_code}")


def stop(running: Running) -> None:
    for service in reversed(running.services):
        service.close()
