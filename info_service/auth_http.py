"""The HTTP under the auth gateway: one shared client that forwards each caller's own token.

The gateway (`info_service/auth.py`) decides what a call means; this module only makes the call
possible: the generated client over one cookieless httpx client, over our HTTP/1.1 transport.
"""

from collections.abc import Generator
from contextvars import ContextVar

import httpx

from clients.auth_client import AuthenticatedClient
from common.telemetry import instrument_client
from info_service.config import CallsToAuth
from info_service.http1 import Http1Transport

# The Authorization header of the caller being served. Each request runs in its own task with its
# own copy of the context, so concurrent callers never see each other's token.
caller_authorization: ContextVar[str | None] = ContextVar("caller_authorization", default=None)


class _ForwardCallerAuthorization(httpx.Auth):
    """Sets the caller's `Authorization` on each request to auth, as the caller sent it."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        authorization = caller_authorization.get()
        if authorization is not None:
            request.headers["Authorization"] = authorization
        yield request


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        pass

    def set_cookie_header(self, request: httpx.Request) -> None:
        pass


_NO_COOKIES = _NoCookies()


class _CookielessClient(httpx.AsyncClient):
    """An httpx client without a cookie jar.

    One client serves every caller, so a cookie auth set in one caller's answer would go out with
    the next caller's request. (Skipping the jar also saves a third of httpx's cost per call.)
    """

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, _: object) -> None:
        pass


def pool_limits(calls: CallsToAuth) -> httpx.Limits:
    """The pool to auth: its size, and idle connections closed before auth's server closes them
    (uvicorn: 5 s), so that a request is never sent on a connection the server is closing."""
    return httpx.Limits(
        max_connections=calls.auth_pool_size,
        max_keepalive_connections=calls.auth_pool_size,
        keepalive_expiry=4.0,
    )


def auth_http_client(
    calls: CallsToAuth, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one httpx client to auth for the life of the process; close it with `aclose()`.

    `transport` replaces the network (tests answer with stubs; the bench measures alternatives).
    """
    client = _CookielessClient(
        base_url=str(calls.auth_url),
        timeout=httpx.Timeout(calls.auth_read_timeout, connect=calls.auth_connect_timeout),
        auth=_ForwardCallerAuthorization(),
        transport=transport or Http1Transport(pool_limits(calls)),
    )
    instrument_client(client, "info_service")  # a client span per call, when tracing is on
    return client


def generated_client(http: httpx.AsyncClient) -> AuthenticatedClient:
    """The generated auth client over `http`."""
    # The token argument is unused: `http` carries each caller's own (see caller_authorization).
    client = AuthenticatedClient(base_url=str(http.base_url), token="")
    client.set_async_httpx_client(http)
    return client
