"""Reading the token from the request: one rule for both services, and one dependency per route.

A token is 1 to 512 visible ASCII characters, sent raw (`merixstudio`) or as
`Bearer merixstudio`, in exactly one `Authorization` header.

FastAPI costs ~15 µs per dependency per request (docs/performance.md), so a route resolves one:
its checks are plain functions here (`reject_body`, `read_credentials`), called in order by the
one dependency the route declares in its service's `deps.py`.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.requests import HTTPConnection

from common.problems import ProblemError

_TOKEN = re.compile(r"(?:[Bb][Ee][Aa][Rr][Ee][Rr] +)?([\x21-\x7e]{1,512})")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Credentials:
    """The `Authorization` header as received, and the token in it (None when malformed)."""

    header: str
    token: str | None


def read_credentials(connection: HTTPConnection) -> Credentials | None:
    """The `Authorization` header's token; None when no header was sent, 400 when several were."""
    values = connection.headers.getlist("authorization")
    if len(values) > 1:
        raise ProblemError(400, "Send exactly one Authorization header.")
    if not values:
        return None
    match = _TOKEN.fullmatch(values[0])
    return Credentials(header=values[0], token=match[1] if match else None)


def reject_body(connection: HTTPConnection) -> None:
    """400 for a request that carries a body: none of our operations takes one."""
    headers = connection.headers
    if headers.get("content-length", "0") != "0" or "transfer-encoding" in headers:
        raise ProblemError(400, "This operation takes no request body.")


def unauthorized(detail: str = "A valid token is required in the Authorization header.") -> ProblemError:
    return ProblemError(401, detail, {"WWW-Authenticate": "Bearer"})


class TokenHeader(APIKeyHeader, Generic[T]):
    """The spec's `token` security scheme, as the one dependency of a protected route.

    FastAPI describes a route's security from the `SecurityBase` instances among its dependencies
    (what `tests/contract/test_routes_match_spec.py` compares with the spec); this one also runs
    `check`, every check of the route in the route's order, so the route resolves nothing else.
    `auto_error` is off: a missing header is the route's 401 problem, not FastAPI's 403.
    """

    def __init__(self, check: Callable[[Request], Awaitable[T]]) -> None:
        super().__init__(name="Authorization", scheme_name="token", auto_error=False)
        self.check = check

    # The base class resolves to the header's text; this scheme resolves to what `check` returns.
    async def __call__(self, request: Request) -> T:  # type: ignore[override]
        return await self.check(request)


# `async def` though it never awaits: FastAPI runs a plain `def` dependency in its thread pool, a
# thread hop per request (measured by `make bench`).
async def no_body(request: Request) -> None:
    reject_body(request)


NoBody = Annotated[None, Depends(no_body)]
