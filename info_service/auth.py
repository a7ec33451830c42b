"""The one dependency of the domain: asking the auth service whose a token is.

The policy lives here: a bounded retry of requests that never reached auth, a circuit breaker
that stops calling a failing auth for a while, the optional decision cache, and what each failure
means. The HTTP under it (one pool, each caller's token forwarded, no cookies) is `auth_http.py`.
"""

import time
from collections.abc import Awaitable, Callable
from functools import partial

import httpx
import stamina
from circuitbreaker import CircuitBreaker, CircuitBreakerError

from clients.auth_client import AuthenticatedClient
from clients.auth_client.api.auth import login
from clients.auth_client.api.health import readyz
from clients.auth_client.models import LoginResult, Problem
from clients.auth_client.types import UNSET, Response
from info_service.auth_http import caller_authorization
from info_service.config import CallsToAuth
from info_service.decisions import DecisionCache
from info_service.http1 import NoAnswer
from info_service.observability import Outcome, record_decision

OFF_CONTRACT = "The auth service gave an answer outside its contract."
# What a broken body makes the generated parsers raise.
_MALFORMED = (ValueError, KeyError, TypeError, AttributeError)
# No answer came back: the request is safe to send again (see `AuthGateway._login`).
_UNANSWERED = (httpx.ConnectError, NoAnswer)


class CallerLimited(Exception):
    """Auth refused to check this caller's token: the caller failed too often (its 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class AuthUnavailable(Exception):
    """Auth could not say whether the token is valid; try again after `retry_after` seconds."""

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = max(1, retry_after)


class AuthGateway:
    """Whose token is this? Asked of the auth service, with the policy for when it cannot say.

    `client` is the generated auth client, ready to use (`info_service/auth_http.py` builds it
    over one shared pool that forwards each caller's token); the gateway neither opens nor
    closes it. Around each call: an optional cache of positive answers, a circuit breaker that
    stops calling a failing auth for a while, a bounded retry of requests that never reached
    auth, and the mapping of every failure onto `AuthUnavailable`.
    """

    def __init__(self, client: AuthenticatedClient, calls: CallsToAuth) -> None:
        self._client = client
        self._retries = calls.auth_retries
        self._breaker = CircuitBreaker(
            failure_threshold=calls.auth_breaker_failures,
            recovery_timeout=calls.auth_breaker_reset,
            expected_exception=AuthUnavailable,
            name="auth",
        )
        self._ask_guarded: Callable[[str, str | None, str | None], Awaitable[str | None]] = self._breaker(
            self._ask
        )
        self._decisions = DecisionCache(calls.auth_cache_ttl) if calls.auth_cache_ttl else None

    async def subject_for(
        self, authorization: str, request_id: str | None, caller: str | None = None
    ) -> str | None:
        """The subject the token belongs to, or None when auth refuses it.

        `caller` is the caller's IP address, sent as `X-Forwarded-For` so that auth counts failed
        attempts per caller. Raises CallerLimited when auth answers 429 (not a failure of auth:
        the breaker does not count it), and AuthUnavailable when auth cannot say: unreachable,
        too slow, off-contract, or failing so often that the breaker is open. With AUTH_CACHE_TTL
        set, a token auth accepted less than that long ago is answered without asking.
        """
        if self._decisions is not None and (subject := self._decisions.get(authorization)):
            record_decision(Outcome.CACHE_HIT, None, self._breaker.opened)
            return subject
        started = time.perf_counter()
        try:
            subject = await self._ask_guarded(authorization, request_id, caller)
        except CircuitBreakerError:
            record_decision(Outcome.BREAKER_OPEN, None, True)
            raise AuthUnavailable(
                "The auth service is failing; calls to it are paused.", self._breaker.open_remaining
            ) from None
        except AuthUnavailable:
            record_decision(Outcome.UNAVAILABLE, started, self._breaker.opened)
            raise
        record_decision(Outcome.REFUSED if subject is None else Outcome.ACCEPTED, started, False)
        if self._decisions is not None and subject is not None:
            self._decisions.put(authorization, subject)
        return subject

    async def ready(self, request_id: str | None) -> bool:
        try:
            response = await readyz.asyncio_detailed(client=self._client, x_request_id=request_id or UNSET)
        except (httpx.HTTPError, *_MALFORMED):
            return False
        return response.status_code == 200

    async def _ask(self, authorization: str, request_id: str | None, caller: str | None) -> str | None:
        token = caller_authorization.set(authorization)
        try:
            response = await self._login(request_id, caller)
        except httpx.TimeoutException:
            raise AuthUnavailable("The auth service did not answer in time.") from None
        except (httpx.ProtocolError, *_MALFORMED):
            raise AuthUnavailable(OFF_CONTRACT) from None
        except httpx.TransportError:
            raise AuthUnavailable("The auth service is unreachable.") from None
        finally:
            caller_authorization.reset(token)
        if response.status_code in (400, 401):
            return None
        if response.status_code == 429:
            raise CallerLimited(_retry_after(response.headers.get("Retry-After", "")))
        if isinstance(response.parsed, LoginResult) and isinstance(response.parsed.subject, str):
            return response.parsed.subject
        raise AuthUnavailable(OFF_CONTRACT)

    async def _login(self, request_id: str | None, caller: str | None) -> Response[LoginResult | Problem]:
        # Safe to repeat: login has no side effects, and these errors mean no answer came back. Any
        # answer, even bytes that are not HTTP, is never repeated.
        call = partial(
            login.asyncio_detailed,
            client=self._client,
            x_request_id=request_id or UNSET,
            x_forwarded_for=caller or UNSET,
        )
        try:
            return await call()
        except _UNANSWERED as exc:
            # The first call goes out before stamina's retry, which costs ~50 µs a call even when
            # nothing fails; its first "attempt" replays this failure, so stamina logs, counts and
            # spaces the retries exactly as if it had made the first call itself.
            failed: BaseException | None = exc
        async for attempt in stamina.retry_context(
            on=_UNANSWERED,
            attempts=1 + self._retries,
            wait_initial=0.05,
            wait_max=0.1,
            wait_jitter=0.0,
        ):
            with attempt:
                if failed is not None:
                    replay, failed = failed, None
                    raise replay
                return await call()
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str) -> int:
    """Auth's `Retry-After` (1 to 86400 seconds, its contract); anything else is off-contract."""
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 86_400:
        return int(value)
    raise AuthUnavailable(OFF_CONTRACT)
