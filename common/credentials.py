"""Reading the token from the request: one rule for both services.

A token is 1 to 512 visible ASCII characters, sent raw (`merixstudio`) or as
`Bearer merixstudio`, in exactly one `Authorization` header.
"""

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from starlette.requests import HTTPConnection

from common.problems import ProblemError

_TOKEN = re.compile(r"(?:[Bb][Ee][Aa][Rr][Ee][Rr] +)?([\x21-\x7e]{1,512})")


@dataclass(frozen=True, slots=True)
class Credentials:
    """The `Authorization` header as received, and the token in it (None when malformed)."""

    header: str
    token: str | None


class TokenHeader(APIKeyHeader):
    """The spec's `token` security scheme, and the one reading of the header both services share.

    Resolves to None when no header was sent, and answers 400 when several were. `auto_error` is
    off, so that a missing header is our 401 problem, not FastAPI's 403.
    """

    def __init__(self) -> None:
        super().__init__(name="Authorization", scheme_name="token", auto_error=False)

    async def __call__(self, request: HTTPConnection) -> Credentials | None:  # type: ignore[override]
        values = request.headers.getlist("authorization")
        if len(values) > 1:
            raise ProblemError(400, "Send exactly one Authorization header.")
        if not values:
            return None
        match = _TOKEN.fullmatch(values[0])
        return Credentials(header=values[0], token=match[1] if match else None)


def unauthorized(detail: str = "A valid token is required in the Authorization header.") -> ProblemError:
    return ProblemError(401, detail, {"WWW-Authenticate": "Bearer"})


# `async def` though it never awaits: FastAPI runs a plain `def` dependency in its thread pool, a
# thread hop per request (measured by `make bench`).
async def reject_body(request: Request) -> None:
    """400 for a request that carries a body: none of our operations takes one."""
    length = request.headers.get("content-length", "0")
    if length != "0" or "transfer-encoding" in request.headers:
        raise ProblemError(400, "This operation takes no request body.")


PresentedCredentials = Annotated[Credentials | None, Security(TokenHeader())]
NoBody = Depends(reject_body)
