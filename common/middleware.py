"""The per-request plumbing of every service, in one pure ASGI middleware.

For each HTTP request, in one layer and one wrapper of `send`:

- the request id (`common/observability.py`): the caller's `X-Request-ID` when sane, a fresh one
  otherwise (and a warning), set for the logs and `current_request_id()`, echoed on the answer;
- the access line, when the `access` logger is enabled (`ACCESS_LOG`);
- the metrics (`common/metrics.py`): requests by operation and status, latency, in flight;
- the security headers (`common/security_headers.py`): `nosniff`, and `no-store` unless the route
  set its own `Cache-Control`.

One layer instead of four: each layer was a coroutine call and a `send` closure per request
(docs/performance.md, "Issue 14: server side"). It sits outside CORS and inside the proxy-headers
middleware; an unhandled error's 500 is sent by Starlette's outermost `ServerErrorMiddleware`,
whose handler (`common/problems.py`) echoes the id itself.
"""

import logging
import time
from uuid import uuid4

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.metrics import IN_FLIGHT, RequestMetrics
from common.observability import access_log, is_sane_request_id, request_id_var
from common.security_headers import with_security_headers

_HEADER = b"x-request-id"

log = logging.getLogger("request_id")


class ServiceMiddleware:
    """Request id, access line, metrics and security headers, for every HTTP request.

    `metrics=False` leaves every metric out, the in-flight gauge too (the bench measures their
    cost that way).
    """

    def __init__(self, app: ASGIApp, *, metrics: bool = True) -> None:
        self.app = app
        self.metrics = RequestMetrics() if metrics else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = _request_id(scope)
        request_id_var.set(request_id)
        echoed = (_HEADER, request_id.encode("latin-1"))
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = with_security_headers(message.get("headers", ()))
                headers.append(echoed)
                message = {**message, "headers": headers}
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - start
            if metrics is not None:
                IN_FLIGHT.dec()
                metrics.record(scope, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                    },
                )


def _request_id(scope: Scope) -> str:
    """The caller's id when sane, else a fresh one; the request's own header then says the same."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    sent = None
    for name, value in headers:
        if name == _HEADER:
            sent = value.decode("latin-1")
            break
    if sent and is_sane_request_id(sent):
        return sent
    fresh = uuid4().hex
    if sent:
        log.warning("X-Request-ID replaced by %s: the one sent is not 1 to 128 of A-Z a-z 0-9 . _ -", fresh)
    scope["headers"] = [(name, value) for name, value in headers if name != _HEADER]
    scope["headers"].append((_HEADER, fresh.encode()))
    return fresh


def install_service_middleware(app: FastAPI) -> None:
    app.add_middleware(ServiceMiddleware)
