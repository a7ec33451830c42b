"""The app factory both services build on: the hand-written spec, offline docs, plumbing."""

import copy
import functools
import gc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.types import Lifespan

from common.metrics import install_metrics
from common.middleware import install_service_middleware
from common.offline_docs import serve_offline_redoc_bundle
from common.problems import install_problem_handlers
from common.security_headers import install_cors
from common.telemetry import instrument_app

SPECS = Path(__file__).resolve().parent.parent / "specs"


# libyaml's safe loader when PyYAML has it (its wheels do): ~10x faster than the pure-Python one,
# ~0.1 s less at every start of a service.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _parsed_spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.load((SPECS / f"{name}.yaml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    return spec


def load_spec(name: str) -> dict[str, Any]:
    """The hand-written spec `specs/<name>.yaml`, as a dict of its own (the caller may change it).

    Read once per process: an app built again (every test builds its own) copies the parsed spec.
    """
    return copy.deepcopy(_parsed_spec(name))


def create_service_app(
    spec_name: str,
    problem_model: type[BaseModel],
    lifespan: Lifespan[FastAPI] | None = None,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """A FastAPI app that serves `specs/<spec_name>.yaml` as its contract, with `routers` included.

    `/openapi.json` is the hand-written spec, not one derived from the routes; `/docs` and
    `/redoc` load every asset from the service itself. Paths are exact: `/info` is a 404, not a
    redirect to `/info/`.
    """
    spec = load_spec(spec_name)
    app = FastAPIOffline(
        title=spec["info"]["title"],
        version=spec["info"]["version"],
        redirect_slashes=False,
        lifespan=lifespan,
        swagger_ui_parameters={"tryItOutEnabled": True},
        # Tracing is OpenTelemetry's FastAPI instrumentation, when OTEL_* asks for it
        # (common/telemetry.py). FastAPI's own telemetry stays off: on, it looks up three global
        # providers on every request even with nothing configured (~20 µs, `make bench PROFILE=1`).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Serving the hand-written spec is FastAPI's documented way: replacing the `openapi` method.
    app.openapi = lambda: spec  # type: ignore[method-assign]
    serve_offline_redoc_bundle(app)
    docs = list(app.router.routes)
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app, problem_model)
    install_cors(app)  # only when configured
    # Outside CORS: its answers get an id, security headers and a count like any other.
    install_service_middleware(app)
    install_metrics(app)
    # Routes are tried in order, and FastAPI adds its docs routes first: every API request was
    # tried against six of them before its own (~16 µs a request, docs/performance.md). No path is
    # in both, so the API's routes go first and nothing else changes.
    app.router.routes[:] = [route for route in app.router.routes if route not in docs] + docs
    instrument_app(app, f"{spec_name}_service")  # only when OTEL_TRACES_EXPORTER asks for it
    return app


def tune_garbage_collector() -> None:
    """Fewer, cheaper collections in a process that serves requests (measured by `make bench`).

    Called from a served app's lifespan, at startup (never at import): what is alive then (modules,
    routes, schemas) is frozen out of every later collection. The youngest generation is collected
    every 20,000 allocations instead of 700: each request makes hundreds of short-lived objects that
    reference counting frees anyway.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
