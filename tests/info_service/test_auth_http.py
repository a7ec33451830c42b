"""`info_service/auth_http.py`: one client to auth serves every operation, each at its own
address, whatever came before it (the short path keeps one prepared request per operation)."""

import httpx
import pytest

from info_service.auth_http import auth_http_client, caller_authorization
from info_service.config import Settings

pytestmark = pytest.mark.anyio


async def test_one_client_sends_each_operation_to_its_own_address():
    seen: list[tuple[str, str]] = []

    def auth(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        return httpx.Response(200, json={})

    http = auth_http_client(Settings(), httpx.MockTransport(auth))
    token = caller_authorization.set("merixstudio")
    try:
        async with http:
            for method, path in [
                ("POST", "/login/"),
                ("GET", "/readyz"),
                ("POST", "/login/"),
                ("GET", "/healthz"),
            ]:
                await http.request(method, path)
    finally:
        caller_authorization.reset(token)

    assert seen == [("POST", "/login/"), ("GET", "/readyz"), ("POST", "/login/"), ("GET", "/healthz")]
