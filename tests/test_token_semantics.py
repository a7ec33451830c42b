"""The token is exact: what the docs promise, with every near miss, at auth and through info,
in-process and over real sockets.

The rule (common/credentials.py, specs/*.yaml): exactly one `Authorization` header holding a
token of 1 to 512 visible ASCII characters, raw or after `Bearer` (any case) and one or more
spaces. Anything else is a 401 (400 for several headers). The token is then compared byte for
byte. Over a real socket, uvicorn's parser (httptools) removes the whitespace *before* a
header's value (RFC 9110 5.5 calls it no part of the value) but keeps trailing whitespace, which
the app then refuses: ` merixstudio` on the wire is `merixstudio`, `merixstudio ` is a 401.
(h11, uvicorn's pure-Python parser, strips both sides: there a trailing space would be accepted.)
"""

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from auth_service import create_app as create_auth_app
from auth_service.config import Settings as AuthSettings
from common.ratelimit import RateLimitSettings
from info_service import create_app as create_info_app
from info_service.config import Settings as InfoSettings
from tools.asgi import ServedTransport
from tools.launch import Service, both_services

TOKEN = "merixstudio"
AT_BOUND = "a" * 512
OVER_BOUND = "b" * 513  # in the book too: refused by the bound, not because it is unknown
TOKENS = {"demo": TOKEN, "long": AT_BOUND, "longer": OVER_BOUND}
TOKENS_JSON = json.dumps(TOKENS)

ACCEPTED = {
    "raw": TOKEN,
    "bearer": f"Bearer {TOKEN}",
    "bearer-lower": f"bearer {TOKEN}",
    "bearer-upper": f"BEARER {TOKEN}",
    "bearer-mixed": f"bEaReR {TOKEN}",
    "bearer-several-spaces": f"Bearer    {TOKEN}",
    "512-chars": AT_BOUND,
    "bearer-512-chars": f"Bearer {AT_BOUND}",
}
REFUSED = {
    "case": "Merixstudio",
    "upper": "MERIXSTUDIO",
    "prefix": f"x{TOKEN}",
    "suffix": f"{TOKEN}x",
    "shorter": TOKEN[:-1],
    "inner-space": "merix studio",
    "inner-tab": "merix\tstudio",
    "quoted": f'"{TOKEN}"',
    "513-chars": OVER_BOUND,
    "bearer-513-chars": f"Bearer {OVER_BOUND}",
    "empty": "",
    "bearer-alone": "Bearer",
    "bearer-no-space": f"Bearer{TOKEN}",
    "bearer-tab": f"Bearer\t{TOKEN}",
    "bearer-twice": f"Bearer Bearer {TOKEN}",
    "bearer-colon": f"Bearer: {TOKEN}",
    "basic": f"Basic {TOKEN}",
    "token-scheme": f"Token {TOKEN}",
    "bearer-token-case": "Bearer Merixstudio",
    "bearer-token-suffix": f"Bearer {TOKEN}x",
}
# Whitespace around the value: refused when it reaches the app; on the wire, leading OWS is removed.
SURROUNDED = {
    "trailing-space": f"{TOKEN} ",
    "trailing-tab": f"{TOKEN}\t",
    "leading-space": f" {TOKEN}",
    "bearer-trailing-space": f"Bearer {TOKEN} ",
    "bearer-space-only": "Bearer ",
}
ON_THE_WIRE = {
    "trailing-space": 401,
    "trailing-tab": 401,
    "leading-space": 200,  # httptools removes it: the app sees `merixstudio`
    "bearer-trailing-space": 401,
    "bearer-space-only": 401,
}

IN_PROCESS = {**{k: (v, 200) for k, v in ACCEPTED.items()}, **{k: (v, 401) for k, v in REFUSED.items()}}
IN_PROCESS |= {k: (v, 401) for k, v in SURROUNDED.items()}
OVER_SOCKETS = {**{k: (v, 200) for k, v in ACCEPTED.items()}, **{k: (v, 401) for k, v in REFUSED.items()}}
OVER_SOCKETS |= {k: (v, ON_THE_WIRE[k]) for k, v in SURROUNDED.items()}


# Every near miss here comes from one address: a budget of failed attempts larger than the module
# (the limit has its own tests).
UNLIMITED = RateLimitSettings(failures=10_000)


def auth_app():
    return create_auth_app(AuthSettings(_env_file=None, tokens=TOKENS, rate_limit=UNLIMITED))


@pytest.fixture(scope="module")
def in_process() -> Iterator[tuple[TestClient, TestClient]]:
    auth = auth_app()
    info = create_info_app(InfoSettings(rate_limit=UNLIMITED), auth_transport=ServedTransport(auth_app()))
    with TestClient(auth) as auth_client, TestClient(info) as info_client:
        yield auth_client, info_client


@pytest.fixture(scope="module")
def services() -> Iterator[tuple[Service, Service]]:
    unlimited = {"RATE_LIMIT_FAILURES": "10000"}
    with both_services(auth_env={"AUTH_TOKENS": TOKENS_JSON, **unlimited}, info_env=unlimited) as running:
        yield running


def expect(response: httpx.Response, status: int, subject: str | None = None) -> None:
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
    elif subject is not None:
        assert response.json() == {"subject": subject}
    else:
        assert response.content == b'{"info":"The answer is 42."}'


def subject_of(value: str) -> str:
    return "long" if AT_BOUND in value else "demo"


@pytest.mark.parametrize(("value", "status"), IN_PROCESS.values(), ids=IN_PROCESS.keys())
def test_in_process_at_auth_and_through_info(in_process, value, status):
    auth, info = in_process
    header = {"Authorization": value.encode("latin-1")}

    expect(auth.post("/login/", headers=header), status, subject_of(value))
    expect(info.get("/info/", headers=header), status)


def raw_status(url: str, request_line: str, value: str) -> int:
    """The status for a request sent byte for byte, with `value` as the Authorization header."""
    host, port = url.removeprefix("http://").split(":")
    request = f"{request_line}\r\nHost: {host}\r\nAuthorization: {value}\r\nContent-Length: 0\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request.encode("latin-1") + b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(("value", "status"), OVER_SOCKETS.values(), ids=OVER_SOCKETS.keys())
@pytest.mark.processes
def test_over_real_sockets_at_auth_and_through_info(services, value, status):
    auth, info = services

    assert raw_status(auth.url, "POST /login/ HTTP/1.1", value) == status
    assert raw_status(info.url, "GET /info/ HTTP/1.1", value) == status


def test_no_header_and_several_headers(in_process):
    auth, info = in_process
    twice = [("Authorization", TOKEN), ("Authorization", TOKEN)]

    expect(auth.post("/login/"), 401)
    expect(info.get("/info/"), 401)
    assert auth.post("/login/", headers=twice).status_code == 400
    assert info.get("/info/", headers=twice).status_code == 400
