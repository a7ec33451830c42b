"""Which layer a profiled function belongs to, by the file it lives in: the one table to edit.

`python -m bench.profile` adds up cProfile's self time per layer. A function belongs to the first
layer below that names its top-level module (a package in site-packages, a stdlib module, or the
module of a function written in C, e.g. `uvloop.loop.Loop.run_until_complete`) or its path in this
repository (the entries with a `/`). Standard-library helpers and C builtins that name no layer
(`json`, `contextlib`, `enum`, `typing`, `re`, `builtins.isinstance`, ...) are charged to their
callers' layers, in proportion to the time spent under each caller: a JSON encoding started by
starlette is starlette's cost. A third-party package that is not listed is "other".
"""

import re
import sysconfig
from collections.abc import Mapping
from pathlib import Path

from tools.registry import ROOT

OTHER = "other"
# Third-party helpers charged to their callers, like the standard library.
HELPERS = ("typing_extensions",)

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("uvicorn (HTTP server, httptools parser)", ("uvicorn", "httptools", "h11", "websockets")),
    ("starlette", ("starlette",)),
    ("fastapi (routing, dependencies, validation)", ("fastapi",)),
    ("pydantic", ("pydantic", "pydantic_core", "pydantic_settings", "annotated_types", "typing_inspection")),
    ("our middleware and app plumbing (common/)", ("common/",)),
    (
        "the transport (info_service/http1.py, bench/aiohttp_transport.py)",
        ("info_service/http1.py", "bench/aiohttp_transport.py"),
    ),
    ("info_service (gateway, auth client setup, routes)", ("info_service/",)),
    ("auth_service (routes, token book)", ("auth_service/",)),
    ("generated client (clients/, attrs, dateutil)", ("clients/", "attrs", "attr", "dateutil")),
    ("httpx", ("httpx", "httpcore", "idna", "sniffio", "certifi")),
    ("aiohttp", ("aiohttp", "multidict", "yarl", "propcache", "frozenlist", "aiosignal", "aiohappyeyeballs")),
    ("stamina / circuitbreaker", ("stamina", "circuitbreaker", "tenacity")),
    ("asyncio / event loop", ("asyncio", "_asyncio", "uvloop", "selectors", "select", "anyio")),
    ("logging", ("logging", "structlog", "pythonjsonlogger")),
    ("prometheus_client", ("prometheus_client",)),
    ("opentelemetry", ("opentelemetry",)),
    ("limits (rate limits)", ("limits", "redis")),
    ("the bench's in-process driver", ("bench/",)),
]

_STDLIB = Path(sysconfig.get_paths()["stdlib"])
# cProfile's names for functions written in C: "<built-in method _asyncio.get_running_loop>",
# "<method 'feed_data' of 'aiohttp._http_parser.HttpResponseParser' objects>".
_C_MODULE = re.compile(r"<(?:built-in method|method '\w+' of|function) '?([A-Za-z_][\w.]*)")


def layer_of(filename: str, function: str) -> str | None:
    """The layer of a function as cProfile names it (file, name); None: its callers' layer."""
    path = Path(filename)
    if filename == "~":  # written in C
        found = _C_MODULE.match(function)
        return _by_module(found.group(1).split(".")[0]) if found else None
    if "site-packages" in path.parts:
        top = path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
        return None if top in HELPERS else _by_module(top) or OTHER
    if path.is_relative_to(ROOT):
        relative = path.relative_to(ROOT).as_posix()
        return next(
            (name for name, held in LAYERS for each in held if "/" in each and relative.startswith(each)),
            OTHER,
        )
    if path.is_relative_to(_STDLIB):
        return _by_module(path.relative_to(_STDLIB).parts[0].removesuffix(".py"))
    return None  # <frozen ...>, <string>: the caller's


def _by_module(top: str) -> str | None:
    return next((name for name, held in LAYERS if top in held), None)


Function = tuple[str, int, str]  # cProfile's key: file, line, name
# pstats' raw data: function -> (primitive calls, calls, self s, cumulative s, callers), where
# callers maps each caller to the same four figures for the calls it made.
Stats = Mapping[Function, tuple[int, int, float, float, Mapping[Function, tuple[int, int, float, float]]]]


def attribute(stats: Stats) -> dict[str, tuple[float, float]]:
    """Self seconds and calls per layer, over every function in `stats`."""
    memo: dict[Function, dict[str, float]] = {}
    totals: dict[str, tuple[float, float]] = {}
    for function, (_, calls, self_s, _, _) in stats.items():
        for layer, weight in share(function, stats, memo, set()).items():
            seconds, count = totals.get(layer, (0.0, 0.0))
            totals[layer] = (seconds + self_s * weight, count + calls * weight)
    return totals


def share(
    function: Function, stats: Stats, memo: dict[Function, dict[str, float]], visiting: set[Function]
) -> dict[str, float]:
    """The layers a function's self time goes to, with weights summing to 1."""
    if function in memo:
        return memo[function]
    own = layer_of(function[0], function[2])
    if own is not None:
        memo[function] = {own: 1.0}
        return memo[function]
    visiting.add(function)
    callers = {c: figures for c, figures in stats[function][4].items() if c not in visiting and c in stats}
    # By the self time spent under each caller; by calls when that rounds to nothing.
    weights = {c: figures[2] for c, figures in callers.items()}
    if sum(weights.values()) <= 0:
        weights = {c: float(figures[1]) for c, figures in callers.items()}
    total = sum(weights.values())
    found: dict[str, float] = {}
    if total > 0:
        for caller, weight in weights.items():
            for layer, part in share(caller, stats, memo, visiting).items():
                found[layer] = found.get(layer, 0.0) + part * weight / total
    visiting.discard(function)
    result = found or {OTHER: 1.0}
    memo[function] = result
    return result
