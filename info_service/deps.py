"""What the routes depend on, as `Annotated` aliases: one dependency, one place.

Each reads what the lifespan opened (`main.State`) from `request.state`. FastAPI costs ~15 µs per
dependency per request (`make bench`), so a route asks for the one it needs, and
`CurrentSubject` reads the gateway itself rather than through `AuthGatewayDep`.
"""

from typing import Annotated

from fastapi import Depends, Request

from common.credentials import PresentedCredentials, unauthorized
from common.observability import current_request_id
from common.ratelimit import FailureLimiter, caller_address, ip_or_none, too_many_failures
from info_service.auth import AuthGateway, CallerLimited


async def get_auth_gateway(request: Request) -> AuthGateway:
    gateway: AuthGateway = request.state.auth_gateway
    return gateway


async def get_current_subject(request: Request, credentials: PresentedCredentials) -> str:
    """The subject auth vouches for; 401 without asking when the token is absent or malformed.

    A caller address over its budget of failed attempts gets 429 before auth is asked: a blocked
    guesser costs auth nothing (common/ratelimit.py). Raises `AuthUnavailable` (the app's handler
    answers 503) when auth cannot say.
    """
    if credentials is None:
        raise unauthorized()
    limiter: FailureLimiter = request.app.state.failure_limiter
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
CurrentSubject = Annotated[str, Depends(get_current_subject)]
