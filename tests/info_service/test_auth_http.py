"""`info_service/auth_http.py`: one client to auth serves every operation, each at its own
address, whatever came before it (the short path keeps one prepared request per operation)."""

import asyncio

import httpx
import pytest

from info_service.auth_http import auth_http_client, caller_authorization
from info_service.config import Settings
from tests.info_service.test_http1 import Counted, serving, settled

pytestmark = pytest.mark.anyio


async def test_one_client_sends_each_operation_to_its_own_address():
    seen: list[tuple[str, str]] = []

    def auth(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        return httpx.Response(200, json={})

    http = auth_http_client(Settings(), httpx.MockTransport(auth))
    token = caller_authorization.set("merixstudio")
    try:
        async with http:
            for method, path in [
                ("POST", "/login/"),
                ("GET", "/readyz"),
                ("POST", "/login/"),
                ("GET", "/healthz"),
            ]:
                await http.request(method, path)
    finally:
        caller_authorization.reset(token)

    assert seen == [("POST", "/login/"), ("GET", "/readyz"), ("POST", "/login/"), ("GET", "/healthz")]


async def test_the_full_path_sends_the_headers_query_and_options_it_was_given():
    seen: list[httpx.Request] = []

    def auth(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    async def hook(request: httpx.Request) -> None:  # an event hook: httpx's own path
        pass

    http = auth_http_client(Settings(), httpx.MockTransport(auth))
    http.event_hooks["request"] = [hook]
    token = caller_authorization.set("merixstudio")
    try:
        async with http:
            await http.request(
                "POST", "/login/", headers={"X-Request-ID": "r-1"}, params={"a": "1"}, timeout=0.25
            )
    finally:
        caller_authorization.reset(token)

    [request] = seen
    assert (request.url.path, request.url.params["a"]) == ("/login/", "1")
    assert (request.headers["x-request-id"], request.headers["authorization"]) == ("r-1", "merixstudio")
    assert request.extensions["timeout"]["read"] == 0.25


async def test_the_default_transport_is_a_pool_of_auth_pool_size_connections():
    auth = Counted(held={1})
    async with serving(auth) as url:
        http = auth_http_client(Settings(auth_url=url, auth_pool_size=1))
        token = caller_authorization.set("merixstudio")
        try:
            async with http:
                calls = [asyncio.ensure_future(http.post("/login/")) for _ in range(2)]
                await settled(lambda: auth.requests == [1])
                await asyncio.sleep(0.1)  # time enough for a second connection, if the pool allowed it
                assert auth.opened == 1
                auth.hold.set()
                responses = await asyncio.gather(*calls)
        finally:
            caller_authorization.reset(token)

    assert [r.status_code for r in responses] == [200, 200]
    assert auth.requests == [1, 1]
