"""The minimal hop, "the limit of the design": GET /info/ asking auth over HTTP, and nothing else.

Two FastAPI apps, one process each, served like the stack (same uvicorn flags, same garbage
collector tuning): `auth` answers POST /login/ with 200 when the Authorization header is the one
token and 401 otherwise; `info` answers GET /info/ from an async route that forwards the header to
auth over one shared `aiohttp.ClientSession`. No contract layers: no spec, no generated client, no
httpx, no middlewares, no retry or breaker, no problem+json, no metrics. What the stack spends above
this is the contract's cost (issue 14: at most 1.3x this CPU per request). Not part of the project.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI, Request, Response

from common.service import tune_garbage_collector

ANSWER = b'{"info":"The answer is 42."}'


def auth() -> FastAPI:
    """`MINIMAL_TOKEN` is the one valid token (uvicorn --factory)."""
    token = os.environ["MINIMAL_TOKEN"]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        tune_garbage_collector()
        yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/login/")
    async def login(request: Request) -> Response:
        return Response(status_code=200 if request.headers.get("authorization") == token else 401)

    return app


def info() -> FastAPI:
    """Asks auth at `MINIMAL_AUTH_URL` (uvicorn --factory)."""
    login = f"{os.environ['MINIMAL_AUTH_URL']}/login/"
    sessions: list[aiohttp.ClientSession] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            sessions.append(session)
            tune_garbage_collector()
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/info/")
    async def get_info(request: Request) -> Response:
        headers = {"Authorization": request.headers.get("authorization", "")}
        async with sessions[0].post(login, headers=headers) as answer:
            if answer.status != 200:
                return Response(status_code=401)
        return Response(ANSWER, media_type="application/json")

    return app
