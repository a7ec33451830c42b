"""What the routes depend on, as `Annotated` aliases: one dependency per route, one place.

Each reads what the lifespan opened (`main.State`) from `request.state`. FastAPI costs ~15 µs per
dependency per request (`make bench`), so each route resolves exactly one, which makes every
check of that route in order.
"""

from typing import Annotated

from fastapi import Depends, Request, Security

from common.credentials import TokenHeader, read_credentials, reject_body, unauthorized
from common.observability import current_request_id
from common.ratelimit import FailureLimiter, caller_address, ip_or_none, too_many_failures
from info_service.auth import AuthGateway, CallerLimited


async def get_auth_gateway(request: Request) -> AuthGateway:
    """Auth's gateway, for a route that takes no body (400 otherwise)."""
    reject_body(request)
    gateway: AuthGateway = request.state.auth_gateway
    return gateway


async def get_current_subject(request: Request) -> str:
    """The subject auth vouches for, after the checks that need no call, in this order:

    400 for a body, 400 for several `Authorization` headers, 401 without one, 429 for a caller
    address over its budget of failed attempts (a blocked guesser costs auth nothing:
    common/ratelimit.py), 401 for a malformed token. Raises `AuthUnavailable` (the app's handler
    answers 503) when auth cannot say.
    """
    reject_body(request)
    credentials = read_credentials(request)
    if credentials is None:
        raise unauthorized()
    limiter: FailureLimiter = request.state.failure_limiter
    caller = caller_address(request)
    await limiter.check(caller)
    if credentials.token is None:
        await limiter.failed(caller)
        raise unauthorized()
    auth: AuthGateway = request.state.auth_gateway
    try:
        subject = await auth.subject_for(credentials.header, current_request_id(), ip_or_none(caller))
    except CallerLimited as exc:
        await limiter.failed(caller)  # auth's refusal counts here too: the next one stays here
        raise too_many_failures(exc.retry_after, limiter.policy) from None
    if subject is None:
        await limiter.failed(caller)
        raise unauthorized()
    return subject


AuthGatewayDep = Annotated[AuthGateway, Depends(get_auth_gateway)]
CurrentSubject = Annotated[str, Security(TokenHeader(get_current_subject))]
