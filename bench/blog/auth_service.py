# The blog's auth service, verbatim. Baseline for `make bench`; not part of the project.
# ruff: noqa: UP045, SIM201
from typing import Optional

from fastapi import FastAPI, Header, Response
from starlette.status import HTTP_200_OK, HTTP_401_UNAUTHORIZED

app = FastAPI()


@app.post("/login/")
def login(authorization: Optional[str] = Header(None)) -> Response:
    if not authorization == "merixstudio":
        return Response(status_code=HTTP_401_UNAUTHORIZED)
    return Response(status_code=HTTP_200_OK)
