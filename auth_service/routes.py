"""The operations of `specs/auth.yaml`."""

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from auth_service.deps import Tokens
from auth_service.models import Health, LoginResult, Problem
from common.credentials import NoBody, PresentedCredentials, unauthorized
from common.problems import ProblemError, problem_responses
from common.ratelimit import Limiter, caller_address

_FORWARDED_FOR = re.compile(r"[0-9A-Fa-f.:]{2,45}(?:, ?[0-9A-Fa-f.:]{2,45}){0,7}")


async def reject_malformed_forwarded_for(request: Request) -> None:
    """400 for an `X-Forwarded-For` the spec does not allow (the address itself is read by the
    proxy-headers middleware, and only from trusted peers: common/ratelimit.py)."""
    values = request.headers.getlist("x-forwarded-for")
    if values and (len(values) > 1 or not _FORWARDED_FOR.fullmatch(values[0])):
        raise ProblemError(400, "X-Forwarded-For must be one list of IP addresses.")


router = APIRouter(dependencies=[NoBody])


@router.post("/login/", operation_id="login", responses=problem_responses(Problem, 400, 401, 429))
async def login(
    request: Request,
    credentials: PresentedCredentials,
    tokens: Tokens,
    limiter: Limiter,
    _: Annotated[None, Depends(reject_malformed_forwarded_for)],
) -> LoginResult:
    if credentials is None:
        raise unauthorized()
    # Checked before the token: an address over its budget costs a counter lookup, nothing more.
    caller = caller_address(request)
    await limiter.check(caller)
    subject = tokens.subject_for(credentials.token) if credentials.token else None
    if subject is None:
        await limiter.failed(caller)
        raise unauthorized()
    return LoginResult(subject=subject)


@router.get("/healthz", operation_id="healthz")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", operation_id="readyz")
async def readyz() -> Health:
    """Ready whenever alive: the service depends on nothing."""
    return Health(status="ok")
