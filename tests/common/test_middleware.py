"""`common/middleware.py`: what the one middleware counts, and that `metrics=False` counts nothing."""

import asyncio

import pytest
from prometheus_client import REGISTRY
from starlette.types import Message, Receive, Scope, Send

from common.middleware import ServiceMiddleware

SCOPE: Scope = {
    "type": "http",
    "method": "GET",
    "path": "/nowhere",
    "headers": [],
    "query_string": b"",
}


def in_flight() -> float:
    value = REGISTRY.get_sample_value("http_requests_in_flight")
    assert value is not None
    return value


def answered(status: int) -> float:
    labels = {"operation": "unmatched", "status": str(status)}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0


async def serve(middleware_metrics: bool, status: int) -> tuple[float, float]:
    """One request through the middleware; the in-flight gauge as the app saw it, and after."""
    seen: list[float] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(in_flight())
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    await ServiceMiddleware(app, metrics=middleware_metrics)(dict(SCOPE), receive, send)
    return seen[0], in_flight()


@pytest.mark.parametrize("status", [200, 418])
def test_a_request_is_in_flight_while_served_then_counted_once_by_its_status(status: int) -> None:
    before, counted = in_flight(), answered(status)
    during, after = asyncio.run(serve(True, status))
    assert (during, after) == (before + 1, before)
    assert answered(status) == counted + 1


def test_without_metrics_nothing_is_counted_not_even_in_flight() -> None:
    before, counted = in_flight(), answered(200)
    during, after = asyncio.run(serve(False, 200))
    assert (during, after) == (before, before)
    assert answered(200) == counted
