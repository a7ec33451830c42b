"""Request ids and structured logs.

Every response carries `X-Request-ID` (the caller's when sane, a fresh one otherwise); every log
line is one JSON object with that id. Access lines hold method, path, status and duration: never
headers or query strings, where tokens could hide.
"""

import logging
import re
import sys
import time
from typing import TextIO

from asgi_correlation_id import CorrelationIdFilter, CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

access_log = logging.getLogger("access")


def is_sane_request_id(value: str) -> bool:
    return _SANE_REQUEST_ID.fullmatch(value) is not None


def current_request_id() -> str | None:
    return correlation_id.get()


class AccessLogMiddleware:
    """One JSON line per request, written when the response is complete."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                },
            )


def install_request_ids_and_access_log(app: FastAPI) -> None:
    app.add_middleware(AccessLogMiddleware)
    # Added last, so outermost: the id is set before the access log runs, and echoed on errors.
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        validator=is_sane_request_id,
    )


def configure_logging(level: str = "INFO", access: bool = True) -> None:
    """JSON lines on stderr for our loggers and uvicorn's; uvicorn's own access log is replaced.

    Idempotent, and it leaves other handlers alone (pytest's, for one).
    """
    root = logging.getLogger()
    if not any(isinstance(handler, _JsonLinesHandler) for handler in root.handlers):
        root.addHandler(_JsonLinesHandler())
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    access_log.setLevel(logging.INFO if access else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


class _JsonLinesHandler(logging.StreamHandler[TextIO]):
    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.addFilter(CorrelationIdFilter(default_value="-"))
        self.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                datefmt="%Y-%m-%dT%H:%M:%S%z",
                rename_fields={
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "correlation_id": "request_id",
                },
                reserved_attrs=[*RESERVED_ATTRS, "color_message"],
            )
        )
