"""The operations of `specs/auth.yaml`."""

from fastapi import APIRouter

from auth_service.deps import Tokens
from auth_service.models import Health, LoginResult, Problem
from common.credentials import NoBody, PresentedCredentials, unauthorized
from common.problems import problem_responses

router = APIRouter(dependencies=[NoBody])


@router.post("/login/", operation_id="login", responses=problem_responses(Problem, 400, 401))
async def login(credentials: PresentedCredentials, tokens: Tokens) -> LoginResult:
    subject = tokens.subject_for(credentials.token) if credentials and credentials.token else None
    if subject is None:
        raise unauthorized()
    return LoginResult(subject=subject)


@router.get("/healthz", operation_id="healthz")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", operation_id="readyz")
async def readyz() -> Health:
    """Ready whenever alive: the service depends on nothing."""
    return Health(status="ok")
