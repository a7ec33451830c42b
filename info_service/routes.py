"""The operations of `specs/info.yaml`; each resolves one dependency (`deps.py`)."""

from fastapi import APIRouter

from common.credentials import NoBody
from common.observability import current_request_id
from common.problems import problem_responses
from info_service.auth import AuthUnavailable
from info_service.deps import AuthGatewayDep, CurrentSubject
from info_service.models import Health, Info, Problem

router = APIRouter()


@router.get("/info/", operation_id="getInfo", responses=problem_responses(Problem, 400, 401, 429, 503))
async def get_info(_: CurrentSubject) -> Info:
    return Info(info="The answer is 42.")


@router.get("/healthz", operation_id="healthz")
async def healthz(_: NoBody) -> Health:
    return Health(status="ok")


@router.get("/readyz", operation_id="readyz", responses=problem_responses(Problem, 503))
async def readyz(auth: AuthGatewayDep) -> Health:
    """Ready when auth answers its own readiness probe."""
    if not await auth.ready(current_request_id()):
        raise AuthUnavailable("The auth service is unreachable.")
    return Health(status="ok")
