"""bench/layers.py: which layer a profiled function's time is charged to."""

import sysconfig

import pytest

from bench.layers import OTHER, attribute, layer_of
from tools.registry import ROOT

SITE = "/srv/app/.venv/lib/python3.11/site-packages"
STDLIB = sysconfig.get_paths()["stdlib"]


@pytest.mark.parametrize(
    ("filename", "function", "layer"),
    [
        (
            f"{SITE}/uvicorn/protocols/http/httptools_impl.py",
            "data_received",
            "uvicorn (HTTP server, httptools parser)",
        ),
        (f"{SITE}/starlette/routing.py", "matches", "starlette"),
        (
            f"{SITE}/fastapi/dependencies/utils.py",
            "solve_dependencies",
            "fastapi (routing, dependencies, validation)",
        ),
        (f"{SITE}/httpx/_models.py", "__init__", "httpx"),
        (f"{SITE}/yarl/_url.py", "__new__", "aiohttp"),
        (f"{SITE}/stamina/_core.py", "retry_context", "stamina / circuitbreaker"),
        (f"{SITE}/prometheus_client/values.py", "inc", "prometheus_client"),
        (f"{SITE}/some_unlisted_package/x.py", "f", OTHER),
        (str(ROOT / "common/middleware.py"), "__call__", "our middleware and app plumbing (common/)"),
        (f"{SITE}/attr/_make.py", "__init__", "generated client (clients/, attrs, dateutil)"),
        (
            str(ROOT / "info_service/http1.py"),
            "handle_async_request",
            "the transport (info_service/http1.py, bench/aiohttp_transport.py)",
        ),
        (
            str(ROOT / "bench/aiohttp_transport.py"),
            "handle_async_request",
            "the transport (info_service/http1.py, bench/aiohttp_transport.py)",
        ),
        (str(ROOT / "bench/load.py"), "main", "the bench's in-process driver"),
        (str(ROOT / "info_service/auth.py"), "check", "info_service (gateway, auth client setup, routes)"),
        (
            str(ROOT / "clients/auth_client/api/default/login.py"),
            "asyncio_detailed",
            "generated client (clients/, attrs, dateutil)",
        ),
        (
            str(ROOT / "common/metrics.py"),
            "_record",
            "our middleware and app plumbing (common/)",
        ),
        (str(ROOT / "auth_service/tokens.py"), "subject_of", "auth_service (routes, token book)"),
        (f"{STDLIB}/asyncio/events.py", "_run", "asyncio / event loop"),
        (f"{STDLIB}/logging/__init__.py", "isEnabledFor", "logging"),
        ("~", "<method 'run_until_complete' of 'uvloop.loop.Loop' objects>", "asyncio / event loop"),
        (
            "~",
            "<method 'validate_python' of 'pydantic_core._pydantic_core.SchemaValidator' objects>",
            "pydantic",
        ),
        ("~", "<method 'feed_data' of 'aiohttp._http_parser.HttpResponseParser' objects>", "aiohttp"),
    ],
)
def test_a_function_belongs_to_the_layer_of_its_file(filename, function, layer):
    assert layer_of(filename, function) == layer


@pytest.mark.parametrize(
    ("filename", "function"),
    [
        (f"{STDLIB}/json/encoder.py", "encode"),
        (f"{STDLIB}/contextlib.py", "__aenter__"),
        ("~", "<built-in method builtins.isinstance>"),
        ("~", "<method 'get' of 'dict' objects>"),
        ("<frozen _collections_abc>", "__new__"),
        (f"{SITE}/typing_extensions.py", "get_origin"),
    ],
)
def test_stdlib_helpers_and_plain_builtins_are_charged_to_their_callers(filename, function):
    assert layer_of(filename, function) is None


def test_a_helper_s_time_is_split_between_its_callers_layers_by_the_time_spent_under_each():
    starlette = (f"{SITE}/starlette/responses.py", 1, "render")
    httpx = (f"{SITE}/httpx/_content.py", 1, "encode_json")
    dumps = (f"{STDLIB}/json/__init__.py", 1, "dumps")
    isinstance_ = ("~", 0, "<built-in method builtins.isinstance>")
    stats = {
        starlette: (1, 1, 0.010, 0.050, {}),
        httpx: (2, 2, 0.020, 0.060, {}),
        # dumps: 30 ms of its own, 10 under starlette and 20 under httpx
        dumps: (3, 3, 0.030, 0.030, {starlette: (1, 1, 0.010, 0.010), httpx: (2, 2, 0.020, 0.020)}),
        # isinstance called only by dumps: it follows dumps' callers
        isinstance_: (6, 6, 0.006, 0.006, {dumps: (6, 6, 0.006, 0.006)}),
    }

    layers = attribute(stats)

    assert layers["starlette"] == pytest.approx((0.010 + 0.010 + 0.002, 1 + 1 + 2))
    assert layers["httpx"] == pytest.approx((0.020 + 0.020 + 0.004, 2 + 2 + 4))
    assert sum(seconds for seconds, _ in layers.values()) == pytest.approx(0.066)


def test_a_helper_nobody_listed_calls_is_other():
    lonely = (f"{STDLIB}/json/__init__.py", 1, "dumps")
    recursive = (f"{STDLIB}/copy.py", 1, "deepcopy")

    layers = attribute(
        {lonely: (1, 1, 0.5, 0.5, {}), recursive: (2, 1, 0.25, 0.25, {recursive: (1, 1, 0.1, 0.1)})}
    )

    assert layers == {OTHER: pytest.approx((0.75, 2))}


def test_every_repository_path_in_the_table_exists():
    """A renamed module would silently fall to "other"."""
    from bench.layers import LAYERS

    paths = [each for _, held in LAYERS for each in held if "/" in each]

    assert paths and all((ROOT / path).exists() for path in paths)
