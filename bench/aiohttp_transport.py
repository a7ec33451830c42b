"""An httpx transport that sends requests over one shared aiohttp session: the measured alternative.

Info's transport is ours (`info_service/http1.py`, issue 14: less than half the CPU per call).
This adapter was the default until then; it is kept to compare (`make bench`,
`python -m bench.transports`) and held to the same transport tests
(tests/info_service/test_transport.py, test_hostile_auth.py). It raises the same httpx errors,
`NoAnswer` included (from `info_service.http1`). aiohttp is a dev dependency only: the service's
image does not carry it.

httpx's own transport (httpcore, pure Python) costs about 2 ms of CPU a call on this machine;
aiohttp's connector and C parser (llhttp) a small fraction of that. The generated client stays
an httpx client: only what sits under it changes, and every failure surfaces as the httpx
exception httpcore would raise, so callers handle errors exactly as before.

httpx-aiohttp's `AiohttpTransport` does the same job, but maps a refused connection and a server
that hangs up onto `httpx.ConnectTimeout`, which turns "auth is down" into "auth is slow" and
stops retries of requests that never reached auth; it is also slower (it streams every body).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import httpx
from yarl import URL

from info_service.http1 import DNS_CACHE_SECONDS, NoAnswer

# Most specific first: aiohttp's timeouts are also connection errors, and its connector errors
# are OS errors.
_ERRORS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (TimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, NoAnswer),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.ClientOSError, httpx.ReadError),
    (aiohttp.ClientError, httpx.TransportError),
)


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        if isinstance(exc, aiohttp.ServerDisconnectedError) and not isinstance(exc.message, str):
            # Part of a head came before the hang-up (aiohttp holds it in `message`): an answer.
            raise httpx.RemoteProtocolError(type(exc).__name__, request=request) from exc
        for aiohttp_error, httpx_error in _ERRORS:
            if isinstance(exc, aiohttp_error):
                raise httpx_error(str(exc) or type(exc).__name__, request=request) from exc
        raise  # pragma: no cover -- aiohttp.ClientError is the last entry


class AiohttpTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over one `aiohttp.ClientSession`, opened on the first request (in the running loop).

    Honours httpx's connect, read and pool timeouts (aiohttp has no write timeout) and the pool's
    size and keep-alive expiry. Bodies are read whole: right for small JSON answers, not for
    downloads. No proxies, no cookies, no redirects: httpx's client or the caller decides those.
    """

    def __init__(self, limits: httpx.Limits | None = None) -> None:
        self._limits = limits or httpx.Limits()
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0,
            keepalive_timeout=self._limits.keepalive_expiry or 0,
            # Only the hop we were given; no per-host cap below the pool's own.
            limit_per_host=0,
            # aiohttp's default keeps an address 10 s: a restarted auth container (a new address
            # under compose) went unfound for 5-10 s. Names are resolved per new connection only
            # (pooled ones are reused); 1 s bounds the staleness and still merges a burst of
            # connects into one lookup. Off would cost ~0.1 ms CPU per new connection (measured).
            ttl_dns_cache=DNS_CACHE_SECONDS,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,  # httpx decodes the body, as it does over its own transport
            # httpx sets the headers; aiohttp would add its own defaults.
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            trust_env=False,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            self._session = self._open()
        timeout = request.extensions.get("timeout", {})
        connect, read, pool = timeout.get("connect"), timeout.get("read"), timeout.get("pool")
        body = await request.aread()
        with _as_httpx_errors(request):
            async with self._session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    # aiohttp's `connect` covers the wait for a pooled connection and the connect.
                    connect=None if pool is None or connect is None else pool + connect,
                    sock_connect=connect,
                    sock_read=read,
                ),
            ) as response:
                content = await response.read()
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            content=content,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode()},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
