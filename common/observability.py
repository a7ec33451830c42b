"""Request ids and structured logs.

Every response carries `X-Request-ID` (the caller's when sane, a fresh one otherwise); every log
line is one JSON object with that id. Access lines hold method, path, status and duration: never
headers or query strings, where tokens could hide. `common/middleware.py` sets the id and writes
the access line; this module holds the id's context variable and the log format.
"""

import logging
import re
import sys
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

# The id of the request being served. Set by the middleware and never reset: Starlette's 500
# handler runs outside every middleware and echoes it, and a server runs each request in a task
# of its own, so no id outlives its request there.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

access_log = logging.getLogger("access")


def is_sane_request_id(value: str) -> bool:
    return _SANE_REQUEST_ID.fullmatch(value) is not None


def current_request_id() -> str | None:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


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
        self.addFilter(RequestIdFilter())
        self.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                datefmt="%Y-%m-%dT%H:%M:%S%z",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                reserved_attrs=[*RESERVED_ATTRS, "color_message"],
            )
        )
