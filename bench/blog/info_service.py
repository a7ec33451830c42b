# The blog's info service, verbatim but for LOGIN_ENDPOINT. Baseline for `make bench`; not part of
# the project: a new connection to auth per request, from a sync route in the thread pool.
# ruff: noqa: UP035, UP045, S113
import os
from functools import wraps
from typing import Any, Callable, Optional

import requests
from fastapi import FastAPI, Header, Response
from fastapi.responses import JSONResponse

app = FastAPI()

LOGIN_ENDPOINT = os.environ.get("BLOG_LOGIN_ENDPOINT", "http://127.0.0.1:8001/login/")


def auth_required(func: Callable) -> Callable:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            response = requests.post(
                url=LOGIN_ENDPOINT,
                headers={
                    "Authorization": kwargs["authorization"],
                },
            )
            response.raise_for_status()
            return func(*args, **kwargs)
        except requests.HTTPError as error:
            return Response(status_code=error.response.status_code)

    return wrapper


@app.get("/info/")
@auth_required
def get_information(authorization: Optional[str] = Header(None)) -> JSONResponse:
    return JSONResponse(content={"info": "The answer is 42."})
