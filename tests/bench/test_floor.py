"""`bench/floor.py`: the stack floor is a floor only if it still does the work it keeps.

Its services must answer as the stack does where the stack's answers come from what the floor keeps
(the checks, the models, the call to auth), and carry none of what it removes."""

import asyncio

import httpx

from bench import floor
from tools.asgi import ServedTransport


async def ask(headers: dict[str, str]) -> httpx.Response:
    auth = ServedTransport(floor.auth(tune_gc=False))
    info = ServedTransport(floor.info(tune_gc=False, auth_transport=auth))
    async with httpx.AsyncClient(transport=info, base_url="http://info") as client:
        return await client.get("/info/", headers=headers)


def test_the_floor_answers_the_demo_through_auth() -> None:
    answer = asyncio.run(ask({"Authorization": "merixstudio"}))
    assert (answer.status_code, answer.json()) == (200, {"info": "The answer is 42."})
    assert "x-request-id" not in answer.headers  # the one middleware is gone


def test_the_floor_keeps_the_checks_near_misses_refused() -> None:
    for token in ("Merixstudio", "merixstudio ", "xmerixstudio"):
        answer = asyncio.run(ask({"Authorization": token}))
        assert answer.status_code == 401, token
        assert answer.headers["content-type"] == "application/problem+json"
    assert asyncio.run(ask({})).status_code == 401


def test_the_floor_removes_the_plumbing_and_matches_its_api_route_first() -> None:
    for app, path in ((floor.auth(tune_gc=False), "/login/"), (floor.info(tune_gc=False), "/info/")):
        assert app.user_middleware == []
        assert app.router.routes[0].path == path  # type: ignore[attr-defined]  # an APIRoute
