"""`common/credentials.py`'s security scheme, built fresh (the services build theirs at import):
a route that declares it resolves to what its check returns, and is described as the spec's
`token` scheme. The token rules themselves are pinned in `tests/test_token_semantics.py`."""

import pytest
from fastapi import FastAPI, Request, Security
from fastapi.testclient import TestClient

from common.credentials import TokenHeader, reject_body
from common.problems import ProblemError
from tests.contract.openapi import load_spec


async def subject_of(request: Request) -> str:
    return f"subject of {request.headers.get('authorization')}"


def app_with(scheme: TokenHeader[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/whoami", operation_id="whoami")
    async def whoami(subject: str = Security(scheme)) -> dict[str, str]:
        return {"subject": subject}

    return app


def test_a_route_resolves_the_scheme_to_what_its_check_returns():
    with TestClient(app_with(TokenHeader(subject_of))) as client:
        response = client.get("/whoami", headers={"Authorization": "alice"})

    assert response.json() == {"subject": "subject of alice"}


@pytest.mark.parametrize("service", ["auth", "info"])
def test_the_scheme_is_described_as_the_specs_token(service):
    described = app_with(TokenHeader(subject_of)).openapi()
    documented = load_spec(service)["components"]["securitySchemes"]["token"]

    [(name, scheme)] = described["components"]["securitySchemes"].items()
    assert name == "token"
    assert scheme == {key: documented[key] for key in ("type", "in", "name")}
    assert described["paths"]["/whoami"]["get"]["security"] == [{"token": []}]


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({}, False),
        ({"content-length": "0"}, False),
        ({"content-length": "2"}, True),
        ({"transfer-encoding": "chunked"}, True),  # a body of unknown length
    ],
    ids=["none", "empty", "a-length", "chunked"],
)
def test_a_request_with_a_body_is_refused(headers, refused):
    scope = {"type": "http", "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}

    if refused:
        with pytest.raises(ProblemError) as caught:
            reject_body(Request(scope))
        assert (caught.value.status, caught.value.detail) == (400, "This operation takes no request body.")
    else:
        reject_body(Request(scope))
