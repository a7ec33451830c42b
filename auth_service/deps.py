"""What the routes depend on, as `Annotated` aliases: one dependency per route, one place.

Each reads what the lifespan opened (`main.State`) from `request.state`. FastAPI costs ~15 µs per
dependency per request (`make bench`), so each route resolves exactly one, which makes every
check of that route in order.
"""

import re
from typing import Annotated

from fastapi import Request, Security

from auth_service.tokens import TokenBook
from common.credentials import TokenHeader, read_credentials, reject_body, unauthorized
from common.problems import ProblemError
from common.ratelimit import FailureLimiter, caller_address

_FORWARDED_FOR = re.compile(r"[0-9A-Fa-f.:]{2,45}(?:, ?[0-9A-Fa-f.:]{2,45}){0,7}")


def reject_malformed_forwarded_for(request: Request) -> None:
    """400 for an `X-Forwarded-For` the spec does not allow (the address itself is read by the
    proxy-headers middleware, and only from trusted peers: common/ratelimit.py)."""
    values = request.headers.getlist("x-forwarded-for")
    if values and (len(values) > 1 or not _FORWARDED_FOR.fullmatch(values[0])):
        raise ProblemError(400, "X-Forwarded-For must be one list of IP addresses.")


async def get_login_subject(request: Request) -> str:
    """The subject of the presented token, after these checks, in this order:

    400 for a body, 400 for several `Authorization` headers, 400 for a malformed
    `X-Forwarded-For`, 401 without a token, 429 for a caller address over its budget of failed
    attempts (checked before the token: an address over its budget costs a counter lookup, nothing
    more), 401 for a token that is malformed or unknown (counted as a failure).
    """
    reject_body(request)
    credentials = read_credentials(request)
    reject_malformed_forwarded_for(request)
    if credentials is None:
        raise unauthorized()
    limiter: FailureLimiter = request.state.failure_limiter
    caller = caller_address(request)
    await limiter.check(caller)
    tokens: TokenBook = request.state.token_book
    subject = tokens.subject_for(credentials.token) if credentials.token else None
    if subject is None:
        await limiter.failed(caller)
        raise unauthorized()
    return subject


LoginSubject = Annotated[str, Security(TokenHeader(get_login_subject))]
