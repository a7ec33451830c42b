"""Calling an app in-process the way a server runs it: lifespan first, its state in every request.

httpx's `ASGITransport` runs no lifespan, so an app that keeps what it opens in typed lifespan
state (`request.state`) could not answer through it.
"""

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send


class ServedTransport(httpx.ASGITransport):
    """`ASGITransport` that enters the app's lifespan before the first request and leaves it on
    `aclose()` (closing the client that uses it closes it)."""

    def __init__(self, app: FastAPI, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        super().__init__(app=self._with_state, client=client)
        self._served = app
        self._lifespan: AbstractAsyncContextManager[Any] | None = None
        self._state: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    @property
    def state(self) -> dict[str, Any] | None:
        """What the app's lifespan opened (None before the first request)."""
        return self._state

    async def _with_state(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = dict(self._state or {})
        await self._served(scope, receive, send)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._state is None:
            async with self._lock:
                if self._state is None:
                    self._lifespan = self._served.router.lifespan_context(self._served)
                    self._state = dict(await self._lifespan.__aenter__() or {})
        return await super().handle_async_request(request)

    async def aclose(self) -> None:
        lifespan, self._lifespan, self._state = self._lifespan, None, None
        if lifespan is not None:
            await lifespan.__aexit__(None, None, None)
