"""The operations of `specs/auth.yaml`; each resolves one dependency (`deps.py`)."""

from fastapi import APIRouter

from auth_service.deps import LoginSubject
from auth_service.models import Health, LoginResult, Problem
from common.credentials import NoBody
from common.problems import problem_responses

router = APIRouter()


@router.post("/login/", operation_id="login", responses=problem_responses(Problem, 400, 401, 429))
async def login(subject: LoginSubject) -> LoginResult:
    return LoginResult(subject=subject)


@router.get("/healthz", operation_id="healthz")
async def healthz(_: NoBody) -> Health:
    return Health(status="ok")


@router.get("/readyz", operation_id="readyz")
async def readyz(_: NoBody) -> Health:
    """Ready whenever alive: the service depends on nothing."""
    return Health(status="ok")
