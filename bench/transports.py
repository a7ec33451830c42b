"""`python -m bench.transports`: CPU µs per call to auth under the generated client, by transport.

Every candidate sits under the same httpx client (`auth_http_client`) and the generated client,
calling a real auth process (production settings) one call at a time; the CPU is this process's
(`time.process_time`, so a Rust client's own threads count). Rounds interleave the candidates;
figures are medians. Three columns:

- **call**: the whole call as info makes it (generated client, httpx, transport, network);
- **transport**: `handle_async_request` alone with a prepared `httpx.Request` (adapter + client);
- **client alone**: the same call in the client's own API, where one exists (no httpx objects):
  the difference from "transport" is the adapter's cost.

A baseline transport that answers without a network gives httpx's and the generated client's
share. Clients that are not installed are reported as such: the project installs aiohttp (dev
group) and httptools only; the others were measured in a scratch install (docs/performance.md,
"Issue 14").
Adapters written here for clients without an httpx transport are minimal (no error mapping, no
timeouts): the best case for those clients.
"""

import argparse
import asyncio
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvloop

from bench.variants import PRODUCTION, TOKEN
from clients.auth_client.api.auth import login
from info_service.auth_http import auth_http_client, caller_authorization, generated_client, pool_limits
from info_service.config import CallsToAuth
from tools.launch import Service

_ANSWER = b'{"subject":"bench"}'


class _Canned(httpx.AsyncBaseTransport):
    """No network: auth's answer, at once."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return httpx.Response(200, headers=[(b"content-type", b"application/json")], content=_ANSWER)


def _optional(name: str) -> Any:
    """A client the project does not depend on (installed by hand to be measured)."""
    return importlib.import_module(name)


def _headers_out(request: httpx.Request) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw if k.lower() != b"host"}


def _response(status: int, headers: Any, content: bytes) -> httpx.Response:
    return httpx.Response(status, headers=headers, content=content, extensions={"http_version": b"HTTP/1.1"})


class _Aiosonic(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._client = _optional("aiosonic").HTTPClient()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = await self._client.request(
            str(request.url), method=request.method, headers=_headers_out(request), data=body or None
        )
        return _response(answer.status_code, list(answer.headers.items()), await answer.content())


class _Niquests(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._session = _optional("niquests").AsyncSession()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = await self._session.request(
            request.method, str(request.url), headers=_headers_out(request), data=body or None
        )
        return _response(answer.status_code, list(answer.headers.items()), answer.content or b"")


class _Rnet(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._rnet = _optional("rnet")
        self._client = self._rnet.Client()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        method = getattr(self._rnet.Method, request.method)
        answer = await self._client.request(
            method, str(request.url), headers=_headers_out(request), body=body or None
        )
        headers = [(k, v) for k, v in answer.headers.items()]
        status = answer.status if isinstance(answer.status, int) else answer.status.as_int()
        return _response(status, headers, await answer.bytes())


class _Primp(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._client = _optional("primp").AsyncClient()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = await self._client.request(
            request.method, str(request.url), headers=_headers_out(request), content=body or None
        )
        return _response(answer.status_code, list(answer.headers.items()), answer.content)


class _Httpr(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._client = _optional("httpr").AsyncClient()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = await self._client.request(
            request.method, str(request.url), headers=_headers_out(request), content=body or None
        )
        return _response(answer.status_code, list(answer.headers.items()), answer.content)


def _ours(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    from info_service.http1 import Http1Transport

    return Http1Transport(limits)


def _aiohttp(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    from bench.aiohttp_transport import AiohttpTransport

    return AiohttpTransport(limits)


def _httpx_aiohttp(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    import httpx_aiohttp

    return httpx_aiohttp.AiohttpTransport(limits=limits)


def _pyreqwest(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    transport: httpx.AsyncBaseTransport = _optional("pyreqwest.compatibility.httpx").HttpxTransport()
    return transport


def _curl_cffi(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    transport: httpx.AsyncBaseTransport = _optional("httpx_curl_cffi").AsyncCurlTransport()
    return transport


def _pycurl(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    transport: httpx.AsyncBaseTransport = _optional("httpx_pycurl.transport").AsyncPyCurlTransport()
    return transport


# name: (module that must be installed, factory)
CANDIDATES: dict[str, tuple[str, Callable[[httpx.Limits], httpx.AsyncBaseTransport]]] = {
    "ours: asyncio + httptools (info_service/http1.py)": ("httptools", _ours),
    "aiohttp, our adapter (bench/aiohttp_transport.py)": ("aiohttp", _aiohttp),
    "httpx-aiohttp": ("httpx_aiohttp", _httpx_aiohttp),
    "httpx's own (httpcore)": ("httpcore", lambda limits: httpx.AsyncHTTPTransport(limits=limits)),
    "pyreqwest (its httpx transport)": ("pyreqwest", _pyreqwest),
    "curl_cffi (httpx-curl-cffi)": ("httpx_curl_cffi", _curl_cffi),
    "pycurl (httpx-pycurl)": ("httpx_pycurl", _pycurl),
    "aiosonic (minimal adapter)": ("aiosonic", lambda limits: _Aiosonic()),
    "niquests (minimal adapter)": ("niquests", lambda limits: _Niquests()),
    "rnet (minimal adapter)": ("rnet", lambda limits: _Rnet()),
    "primp (minimal adapter)": ("primp", lambda limits: _Primp()),
    "httpr (minimal adapter, thread pool)": ("httpr", lambda limits: _Httpr()),
    "no network (httpx + generated client only)": ("httpx", lambda limits: _Canned()),
}


async def _native(name: str, url: str) -> Callable[[], Awaitable[object]] | None:
    """The same POST in the client's own API, for the adapter's cost."""
    headers = {"Authorization": TOKEN, "Content-Length": "0"}
    if name.startswith("aiohttp"):
        import aiohttp

        session = aiohttp.ClientSession()

        async def call() -> object:
            async with session.post(url, headers=headers) as response:
                return await response.read()

        return call
    if name.startswith("pyreqwest"):
        client = _optional("pyreqwest.client").ClientBuilder().build()

        async def call_reqwest() -> object:
            response = await client.post(url).headers(headers).build().send()
            return await response.bytes()

        return call_reqwest
    return None


async def _measure(
    names: list[str], calls: int, rounds: int, auth_url: str
) -> dict[str, dict[str, list[float]]]:
    settings = CallsToAuth(auth_url=auth_url)
    login_url = f"{auth_url}/login/"
    found: dict[str, dict[str, list[float]]] = {
        name: {"call": [], "transport": [], "native": []} for name in names
    }
    setups: dict[str, tuple[Any, Any, httpx.AsyncBaseTransport, Any]] = {}
    for name in names:
        transport = CANDIDATES[name][1](pool_limits(settings))
        http = auth_http_client(settings, transport)
        setups[name] = (http, generated_client(http), transport, await _native(name, login_url))
    caller_authorization.set(TOKEN)

    async def timed(call: Callable[[], Awaitable[object]]) -> float:
        for _ in range(max(50, calls // 10)):
            await call()
        started = time.process_time()
        for _ in range(calls):
            await call()
        return (time.process_time() - started) / calls * 1e6

    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            http, client, transport, native = setups[name]

            async def full(client: Any = client) -> object:
                response = await login.asyncio_detailed(client=client)
                assert response.status_code == 200, response.status_code
                return response

            request = http.build_request("POST", login_url, headers={"Authorization": TOKEN})

            async def bare(
                transport: httpx.AsyncBaseTransport = transport, request: httpx.Request = request
            ) -> object:
                response = await transport.handle_async_request(request)
                await response.aread()
                return response

            found[name]["call"].append(await timed(full))
            found[name]["transport"].append(await timed(bare))
            if native is not None:
                found[name]["native"].append(await timed(native))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transports", description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", action="append", help="a substring of a candidate's name (repeatable)")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop", help="uvicorn's is uvloop")
    options = parser.parse_args(argv)
    names = [n for n, (module, _) in CANDIDATES.items() if importlib.util.find_spec(module) is not None]
    missing = [n for n in CANDIDATES if n not in names]
    if options.only:
        names = [n for n in names if any(part in n for part in options.only)]
    auth = Service("auth_service:app", {**os.environ, **PRODUCTION}, args=["--log-level", "warning"])
    auth.start(timeout=60)
    try:
        measuring = _measure(names, options.calls, options.rounds, auth.url)
        found = uvloop.run(measuring) if options.loop == "uvloop" else asyncio.run(measuring)
    finally:
        auth.close()
    print(
        f"CPU µs per call in this process ({options.loop}), "
        f"median of {options.rounds} rounds of {options.calls} calls"
    )
    print("| transport | call | transport | client alone |\n| --- | ---: | ---: | ---: |")
    for name in names:
        med = {k: (f"{statistics.median(v):,.0f}" if v else "") for k, v in found[name].items()}
        print(f"| {name} | {med['call']} | {med['transport']} | {med['native']} |")
    for name in missing:
        print(f"| {name} | not installed | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
