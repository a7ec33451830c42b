"""The operations of `specs/info.yaml`."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from common.credentials import NoBody, PresentedCredentials, unauthorized
from common.observability import current_request_id
from common.problems import ProblemError, problem_responses
from common.ratelimit import caller_address, ip_or_none, too_many_failures
from info_service.auth import AuthGateway, AuthUnavailable, CallerLimited
from info_service.models import Health, Info, Problem


async def get_auth_gateway(request: Request) -> AuthGateway:
    return request.app.state.auth_gateway


AuthGatewayDep = Annotated[AuthGateway, Depends(get_auth_gateway)]


def service_unavailable(exc: AuthUnavailable) -> ProblemError:
    return ProblemError(503, exc.detail, {"Retry-After": str(exc.retry_after)})


async def get_current_subject(request: Request, credentials: PresentedCredentials) -> str:
    """The subject auth vouches for; 401 without asking when the token is absent or malformed.

    A caller address over its budget of failed attempts gets 429 before auth is asked: a blocked
    guesser costs auth nothing (common/ratelimit.py).
    """
    if credentials is None:
        raise unauthorized()
    limiter = request.app.state.failure_limiter
    caller = caller_address(request)
    await limiter.check(caller)
    if credentials.token is None:
        await limiter.failed(caller)
        raise unauthorized()
    auth: AuthGateway = request.app.state.auth_gateway
    try:
        subject = await auth.subject_for(credentials.header, current_request_id(), ip_or_none(caller))
    except AuthUnavailable as exc:
        raise service_unavailable(exc) from None
    except CallerLimited as exc:
        await limiter.failed(caller)  # auth's refusal counts here too: the next one stays here
        raise too_many_failures(exc.retry_after, limiter.policy) from None
    if subject is None:
        await limiter.failed(caller)
        raise unauthorized()
    return subject


CurrentSubject = Annotated[str, Depends(get_current_subject)]

router = APIRouter(dependencies=[NoBody])


@router.get("/info/", operation_id="getInfo", responses=problem_responses(Problem, 400, 401, 429, 503))
async def get_info(_: CurrentSubject) -> Info:
    return Info(info="The answer is 42.")


@router.get("/healthz", operation_id="healthz")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", operation_id="readyz", responses=problem_responses(Problem, 503))
async def readyz(auth: AuthGatewayDep) -> Health:
    """Ready when auth answers its own readiness probe."""
    if not await auth.ready(current_request_id()):
        raise service_unavailable(AuthUnavailable("The auth service is unreachable."))
    return Health(status="ok")
