"""The HTTP under the auth gateway: one shared client that forwards each caller's own token.

The gateway (`info_service/auth.py`) decides what a call means; this module only makes the call
possible: the generated client over one cookieless httpx client, over our HTTP/1.1 transport.
"""

import logging
import time
from collections.abc import Generator, Mapping
from contextvars import ContextVar
from typing import Any, NamedTuple

import httpx
from httpx._client import BoundAsyncStream, ClientState
from httpx._exceptions import request_context

from clients.auth_client import AuthenticatedClient
from common.telemetry import instrument_client
from info_service.config import CallsToAuth
from info_service.http1 import Http1Transport

# The Authorization header of the caller being served. Each request runs in its own task with its
# own copy of the context, so concurrent callers never see each other's token.
caller_authorization: ContextVar[str | None] = ContextVar("caller_authorization", default=None)
_httpx_logger = logging.getLogger("httpx")  # the line httpx logs per request, logged the same way


class _ForwardCallerAuthorization(httpx.Auth):
    """Sets the caller's `Authorization` on each request to auth, as the caller sent it."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.apply(request)
        yield request

    @staticmethod
    def apply(request: httpx.Request) -> None:
        authorization = caller_authorization.get()
        if authorization is not None:
            request.headers["Authorization"] = authorization


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        pass

    def set_cookie_header(self, request: httpx.Request) -> None:
        pass


_NO_COOKIES = _NoCookies()
# Headers that shape the headers httpx adds itself (Host, Content-Length): sent by a caller, they
# take httpx's full path. The generated client sends none of them.
_SHAPING = frozenset({"host", "content-length", "transfer-encoding", "content-type"})
# Requests kept per client as templates: one per operation (per value, with path parameters).
_TEMPLATES = 64


def _plain_headers(headers: object) -> bool:
    """None, or a dict of string names none of which is `_SHAPING`: what the generated client sends."""
    return headers is None or (
        type(headers) is dict and all(type(name) is str and name.lower() not in _SHAPING for name in headers)
    )


class _Template(NamedTuple):
    """httpx's request for one method and path with the client's own headers only, and what it
    was built from: stale once the client's base URL or headers change."""

    base_url: httpx.URL
    client_headers: list[tuple[bytes, bytes]]
    request: httpx.Request

    def fits(self, client: httpx.AsyncClient) -> bool:
        return self.base_url is client.base_url and self.client_headers == client.headers.raw


class _CookielessClient(httpx.AsyncClient):
    """An httpx client without a cookie jar, with a short path for the generated client's calls.

    One client serves every caller, so a cookie auth set in one caller's answer would go out with
    the next caller's request. (Skipping the jar also saves a third of httpx's cost per call.)

    The generated client calls `request(method=..., url=..., headers=...)` (and `params=` when an
    operation has query parameters). For that shape on this client (no cookies, no event hooks, no
    redirects followed, no proxy mounts, the caller's token as the only auth), `request` builds the
    same `httpx.Request` httpx would and hands it to the transport itself. httpx parses the URL
    twice and rebuilds the headers four times a call, then runs the auth and redirect generators;
    here httpx builds the request once per operation (a template), and each call copies the
    template's headers and merges its own in by httpx's rule (`Headers.update`); a new base URL or
    new client headers make a new template. Any other shape, or a client given hooks, redirects,
    proxies, query parameters or another auth since, takes httpx's full path.
    `tests/info_service/test_fast_path.py` pins that both paths hand the transport the same
    request and give back the same response.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._templates: dict[tuple[str, str, bool], _Template] = {}

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, _: object) -> None:
        pass

    async def request(  # type: ignore[override]  # the same parameters, passed on as they came
        self,
        method: str,
        url: httpx.URL | str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        **others: Any,
    ) -> httpx.Response:
        if (
            others
            or params
            or not isinstance(url, str)
            or not _plain_headers(headers)
            or not self._takes_short_path()
        ):
            return await super().request(method, url, headers=headers, params=params, **others)
        template = self._template(method, url, params is not None).request
        merged = httpx.Headers(template.headers)
        merged.update(headers)
        request = httpx.Request(
            method,
            template.url,
            headers=merged,
            stream=template.stream,  # no body: an empty ByteStream, as httpx makes
            extensions={"timeout": self.timeout.as_dict()},
        )
        request.read()
        _ForwardCallerAuthorization.apply(request)
        return await self._send_once(request)

    def _takes_short_path(self) -> bool:
        return (
            self._state is ClientState.OPENED  # else httpx opens it, or refuses: it is closed
            and type(self._auth) is _ForwardCallerAuthorization
            and not self.follow_redirects
            and not self._mounts
            and not self._params
            and not self._event_hooks["request"]
            and not self._event_hooks["response"]
        )

    def _template(self, method: str, url: str, with_params: bool) -> _Template:
        key = (method, url, with_params)
        template = self._templates.get(key)
        if template is None or not template.fits(self):
            request = httpx.Request(
                method, self._merge_url(url), params={} if with_params else None, headers=self.headers
            )
            template = _Template(self._base_url, self.headers.raw, request)
            if len(self._templates) < _TEMPLATES or key in self._templates:
                self._templates[key] = template
        return template

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        """What `send` does for a request that needs no auth flow and follows no redirect."""
        started = time.perf_counter()
        with request_context(request=request):
            response = await self._transport.handle_async_request(request)
        answered = response.stream
        assert isinstance(answered, httpx.AsyncByteStream)  # as httpx asserts
        response.request = request
        response.stream = BoundAsyncStream(answered, response=response, start=started)
        response.default_encoding = self._default_encoding
        if _httpx_logger.isEnabledFor(logging.INFO):  # its arguments cost more than the check
            _httpx_logger.info(
                'HTTP Request: %s %s "%s %d %s"',
                request.method,
                request.url,
                response.http_version,
                response.status_code,
                response.reason_phrase,
            )
        try:
            if response.has_redirect_location:  # not followed: offered, as httpx does
                response.next_request = self._build_redirect_request(request, response)
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        # Read and closed, the response no longer needs the stream that points back at it: without
        # that cycle it is freed as soon as the caller is done with it, not by the garbage collector
        # (~22 objects a call to auth; each young-generation collection in info found ~16,000).
        response.stream = answered
        return response


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
