"""The one dependency of the domain: asking the auth service whose a token is.

Calls go through the generated client (`clients/auth_client`) over one connection pool for the
life of the process, with timeouts, a bounded retry of requests that never reached auth, and a
circuit breaker that stops calling a failing auth for a while.
"""

from collections.abc import Generator
from contextvars import ContextVar

import httpx
import stamina
from circuitbreaker import CircuitBreaker, CircuitBreakerError

from clients.auth_client import AuthenticatedClient
from clients.auth_client.api.auth import login
from clients.auth_client.api.health import readyz
from clients.auth_client.models import LoginResult
from clients.auth_client.types import UNSET, Response
from info_service.config import Settings
from info_service.decisions import DecisionCache
from info_service.transport import AiohttpTransport, NoAnswer

OFF_CONTRACT = "The auth service gave an answer outside its contract."
# What a broken body makes the generated parsers raise.
_MALFORMED = (ValueError, KeyError, TypeError, AttributeError)

# The Authorization header of the caller being served. Each request runs in its own task with its
# own copy of the context, so concurrent callers never see each other's token.
_caller_authorization: ContextVar[str | None] = ContextVar("caller_authorization", default=None)


class _ForwardCallerAuthorization(httpx.Auth):
    """Sets the caller's `Authorization` on each request to auth, as the caller sent it."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        authorization = _caller_authorization.get()
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


class AuthUnavailable(Exception):
    """Auth could not say whether the token is valid; try again after `retry_after` seconds."""

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = max(1, retry_after)


def pool_limits(settings: Settings) -> httpx.Limits:
    """The pool to auth: its size, and idle connections closed before auth's server closes them
    (uvicorn: 5 s), so that a request is never sent on a connection the server is closing."""
    return httpx.Limits(
        max_connections=settings.auth_pool_size,
        max_keepalive_connections=settings.auth_pool_size,
        keepalive_expiry=4.0,
    )


class AuthGateway:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = _CookielessClient(
            base_url=str(settings.auth_url),
            timeout=httpx.Timeout(settings.auth_read_timeout, connect=settings.auth_connect_timeout),
            auth=_ForwardCallerAuthorization(),
            transport=transport or AiohttpTransport(pool_limits(settings)),
        )
        # The token argument is unused: the shared httpx client above carries each caller's own.
        self._client = AuthenticatedClient(base_url=str(settings.auth_url), token="")
        self._client.set_async_httpx_client(self._http)
        self._retries = settings.auth_retries
        self._breaker = CircuitBreaker(
            failure_threshold=settings.auth_breaker_failures,
            recovery_timeout=settings.auth_breaker_reset,
            expected_exception=AuthUnavailable,
            name="auth",
        )
        self._ask_guarded = self._breaker(self._ask)
        self._decisions = DecisionCache(settings.auth_cache_ttl) if settings.auth_cache_ttl else None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def subject_for(self, authorization: str, request_id: str | None) -> str | None:
        """The subject the token belongs to, or None when auth refuses it.

        Raises AuthUnavailable when auth cannot say: unreachable, too slow, off-contract, or
        failing so often that the breaker is open. With AUTH_CACHE_TTL set, a token auth accepted
        less than that long ago is answered without asking.
        """
        if self._decisions is not None and (subject := self._decisions.get(authorization)):
            return subject
        try:
            subject = await self._ask_guarded(authorization, request_id)
        except CircuitBreakerError:
            raise AuthUnavailable(
                "The auth service is failing; calls to it are paused.", self._breaker.open_remaining
            ) from None
        if self._decisions is not None and subject is not None:
            self._decisions.put(authorization, subject)
        return subject

    async def ready(self, request_id: str | None) -> bool:
        try:
            response = await readyz.asyncio_detailed(client=self._client, x_request_id=request_id or UNSET)
        except (httpx.HTTPError, *_MALFORMED):
            return False
        return response.status_code == 200

    async def _ask(self, authorization: str, request_id: str | None) -> str | None:
        caller = _caller_authorization.set(authorization)
        try:
            response = await self._login(request_id)
        except httpx.TimeoutException:
            raise AuthUnavailable("The auth service did not answer in time.") from None
        except (httpx.ProtocolError, *_MALFORMED):
            raise AuthUnavailable(OFF_CONTRACT) from None
        except httpx.TransportError:
            raise AuthUnavailable("The auth service is unreachable.") from None
        finally:
            _caller_authorization.reset(caller)
        if response.status_code in (400, 401):
            return None
        if isinstance(response.parsed, LoginResult) and isinstance(response.parsed.subject, str):
            return response.parsed.subject
        raise AuthUnavailable(OFF_CONTRACT)

    async def _login(self, request_id: str | None) -> Response[object]:
        # Safe to repeat: login has no side effects, and these errors mean no answer came back. Any
        # answer, even bytes that are not HTTP, is never repeated.
        async for attempt in stamina.retry_context(
            on=(httpx.ConnectError, NoAnswer),
            attempts=1 + self._retries,
            wait_initial=0.05,
            wait_max=0.1,
            wait_jitter=0.0,
        ):
            with attempt:
                return await login.asyncio_detailed(client=self._client, x_request_id=request_id or UNSET)
        raise AssertionError("unreachable")  # pragma: no cover
