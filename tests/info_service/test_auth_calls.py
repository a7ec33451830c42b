"""What the info service sends to auth, and what it makes of each answer."""

import asyncio
import random

import httpx
import pytest

from info_service import create_app
from info_service.config import Settings
from tests.apps import info_with_auth
from tests.fakes import says_no
from tools.asgi import ServedTransport


def test_the_token_and_request_id_are_forwarded_as_received():
    seen: list[httpx.Request] = []

    def auth(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"subject": "demo"})

    with info_with_auth(auth) as info:
        info.get("/info/", headers={"Authorization": "Bearer abc", "X-Request-ID": "req-1"})

    [request] = seen
    assert (request.method, request.url.path) == ("POST", "/login/")
    assert request.headers["authorization"] == "Bearer abc"
    assert request.headers["x-request-id"] == "req-1"
    assert request.content == b""


def test_a_cookie_from_auth_never_goes_out_with_another_callers_request():
    seen: list[httpx.Request] = []

    def auth(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"subject": "demo"}, headers={"Set-Cookie": "session=alice; Path=/"})

    with info_with_auth(auth) as info:
        info.get("/info/", headers={"Authorization": "alice-token"})
        info.get("/info/", headers={"Authorization": "bob-token"})

    assert [request.headers.get("cookie") for request in seen] == [None, None]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "two words"}], ids=["missing", "malformed"])
def test_auth_is_not_asked_about_a_token_that_cannot_be_valid(headers):
    seen: list[httpx.Request] = []

    def auth(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"subject": "demo"})

    with info_with_auth(auth) as info:
        assert info.get("/info/", headers=headers).status_code == 401

    assert seen == []


@pytest.mark.anyio
async def test_concurrent_callers_never_see_each_others_token():
    seen: dict[str, str] = {}

    async def auth(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(random.uniform(0, 0.01))
        token = request.headers["authorization"]
        seen[request.headers["x-request-id"]] = token
        if token.startswith("good-"):
            return httpx.Response(200, json={"subject": token})
        return says_no()

    app = create_app(Settings(), auth_transport=httpx.MockTransport(auth))
    async with httpx.AsyncClient(transport=ServedTransport(app), base_url="http://info") as info:

        async def call(i: int) -> int:
            token = f"good-{i}" if i % 2 else f"bad-{i}"
            response = await info.get("/info/", headers={"Authorization": token, "X-Request-ID": f"r{i}"})
            return response.status_code

        statuses = await asyncio.gather(*(call(i) for i in range(200)))

    assert seen == {f"r{i}": (f"good-{i}" if i % 2 else f"bad-{i}") for i in range(200)}
    assert statuses == [200 if i % 2 else 401 for i in range(200)]
