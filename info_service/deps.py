"""What the routes depend on, as `Annotated` aliases: one dependency, one place.

Each reads what the lifespan opened (`main.State`) from `request.state`. FastAPI costs ~15 µs per
dependency per request (`make bench`), so a route asks for the one it needs, and
`CurrentSubject` reads the gateway itself rather than through `AuthGatewayDep`.
"""

from typing import Annotated

from fastapi import Depends, Request

from common.credentials import PresentedCredentials, unauthorized
from common.observability import current_request_id
from info_service.auth import AuthGateway


async def get_auth_gateway(request: Request) -> AuthGateway:
    gateway: AuthGateway = request.state.auth_gateway
    return gateway


async def get_current_subject(request: Request, credentials: PresentedCredentials) -> str:
    """The subject auth vouches for; 401 without asking when the token is absent or malformed.

    Raises `AuthUnavailable` (the app's handler answers 503) when auth cannot say.
    """
    if credentials is None or credentials.token is None:
        raise unauthorized()
    auth: AuthGateway = request.state.auth_gateway
    subject = await auth.subject_for(credentials.header, current_request_id())
    if subject is None:
        raise unauthorized()
    return subject


AuthGatewayDep = Annotated[AuthGateway, Depends(get_auth_gateway)]
CurrentSubject = Annotated[str, Depends(get_current_subject)]
