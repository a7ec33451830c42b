"""`common/middleware.py` around a bare ASGI app: the request id the app sees, the access line,
the metrics it records (or not), and the headers added to an answer that sent none."""

import logging

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.types import Receive, Scope, Send

from common.middleware import ServiceMiddleware

pytestmark = pytest.mark.anyio

ACCESS_FIELDS = ("method", "path", "status", "duration_ms")


class Bare:
    """An ASGI app that records the headers it was given and answers 204, with no headers at all
    (ASGI allows leaving them out)."""

    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.headers = list(scope["headers"])
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body", "body": b""})


async def call(app: ServiceMiddleware, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as client:
        return await client.get("/anything", headers=headers)


def unmatched(name: str) -> float:
    return (
        REGISTRY.get_sample_value(
            name,
            {"operation": "unmatched", "status": "204"} if "total" in name else {"operation": "unmatched"},
        )
        or 0.0
    )


async def test_a_replaced_request_id_is_the_only_one_the_app_sees_and_is_logged(caplog):
    bare = Bare()
    caplog.set_level(logging.WARNING, logger="request_id")

    response = await call(ServiceMiddleware(bare), {"X-Request-ID": "not sane!"})

    fresh = response.headers["x-request-id"]
    assert [value for name, value in bare.headers if name == b"x-request-id"] == [fresh.encode()]
    [warning] = [record for record in caplog.records if record.name == "request_id"]
    assert warning.getMessage() == (
        f"X-Request-ID replaced by {fresh}: the one sent is not 1 to 128 of A-Z a-z 0-9 . _ -"
    )


async def test_an_answer_without_headers_gets_the_id_and_the_security_headers():
    response = await call(ServiceMiddleware(Bare()), {"X-Request-ID": "abc"})

    assert response.status_code == 204
    assert response.headers["x-request-id"] == "abc"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_access_line_and_the_metrics_agree_on_the_duration(caplog):
    caplog.set_level(logging.INFO, logger="access")
    counted, timed = unmatched("http_requests_total"), unmatched("http_request_duration_seconds_sum")

    await call(ServiceMiddleware(Bare()))

    [line] = [record for record in caplog.records if record.name == "access"]
    assert line.getMessage() == "request"
    assert {field: getattr(line, field) for field in ACCESS_FIELDS[:3]} == {
        "method": "GET",
        "path": "/anything",
        "status": 204,
    }
    duration_ms = line.duration_ms
    assert isinstance(duration_ms, float) and duration_ms == round(duration_ms, 3)
    observed = unmatched("http_request_duration_seconds_sum") - timed
    assert 0 < observed < 5
    assert abs(observed * 1000 - duration_ms) <= 0.0005 + 1e-9, "one measure, in ms rounded to 3 places"
    assert unmatched("http_requests_total") == counted + 1


class Watching(Bare):
    """A bare app that reads the in-flight gauge while it serves."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.in_flight.append(in_flight())
        await super().__call__(scope, receive, send)


def in_flight() -> float:
    value = REGISTRY.get_sample_value("http_requests_in_flight")
    assert value is not None
    return value


async def test_a_request_is_in_flight_while_served_and_counted_once_after():
    app, before, counted = Watching(), in_flight(), unmatched("http_requests_total")

    await call(ServiceMiddleware(app))

    assert (app.in_flight, in_flight()) == ([before + 1], before)
    assert unmatched("http_requests_total") == counted + 1


async def test_without_metrics_nothing_is_counted_not_even_in_flight():
    app, before, counted = Watching(), in_flight(), unmatched("http_requests_total")

    await call(ServiceMiddleware(app, metrics=False))

    assert (app.in_flight, in_flight()) == ([before], before)
    assert unmatched("http_requests_total") == counted
