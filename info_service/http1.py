"""An httpx transport of our own: HTTP/1.1 on `asyncio.Protocol`, parsed by httptools (llhttp).

Why not a maintained client: under the same httpx client and generated client, each one measured
(aiohttp, pyreqwest, primp, httpr, rnet, pycurl, curl_cffi, aiosonic, niquests, httpcore) cost
1.7x this transport's CPU per call or more, and those called alone in their own API cost as much
as this transport with its conversion from and to httpx's objects, or more (docs/performance.md,
"Issue 14: transport"). llhttp (Node.js' parser, maintained, installed with uvicorn) parses; what
is ours is the pool, the timeouts and the error mapping, held to the same tests as aiohttp's
adapter (bench/aiohttp_transport.py, the measured alternative) and to a hostile server
(tests/info_service/test_hostile_auth.py).

Errors are httpcore's, so callers handle them as over httpx's own transport: a refused,
unresolvable or untrusted connect is `ConnectError`, a hang-up (or reset) before any byte of an
answer `NoAnswer`, bytes that are not HTTP or an answer cut short `RemoteProtocolError`, and
`ConnectTimeout`, `ReadTimeout`, `PoolTimeout` from the request's `timeout` extension. A
connection is reused only after a whole answer that allows it; after any error it is closed.

`http://`, and `https://` verified against the system's trust store (or `ssl_context`). Bodies
are read whole, up to a cap (auth answers small JSON); request bodies are written whole, without
a write timeout (as over aiohttp). No proxies, cookies or redirects: httpx's client decides those.
"""

import asyncio
import socket
import ssl
import time
from collections import deque
from typing import Any, cast

import httptools
import httpx

MAX_HEAD_BYTES = 64 * 1024  # status line and headers of one answer
MAX_BODY_BYTES = 1024 * 1024  # one answer's body, as sent (before decompression)

_Key = tuple[str, str, int]  # scheme, host, port

# How long a resolved address of auth is reused for new connections (docs/deploy.md).
DNS_CACHE_SECONDS = 1


class NoAnswer(httpx.RemoteProtocolError):
    """The server closed the connection before sending a byte of an answer.

    The one protocol error after which a request is safe to repeat: nothing came back, so nothing
    was decided. Bytes that are not HTTP, or an answer cut short, are answers (broken ones), and
    an answer is never repeated.
    """


class _Resolver:
    """Addresses of a host name, kept `ttl` seconds (docs/deploy.md: a restarted auth container
    has a new address); concurrent lookups of one name share one `getaddrinfo`."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._known: dict[tuple[str, int], tuple[float, asyncio.Future[list[Any]]]] = {}

    async def resolve(self, host: str, port: int) -> list[Any]:
        now = time.monotonic()
        known = self._known.get((host, port))
        if known is None or known[0] <= now or _failed(known[1]):
            lookup = asyncio.ensure_future(
                asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            )
            known = self._known[(host, port)] = (now + self._ttl, lookup)
        return await asyncio.shield(known[1])


def _failed(lookup: asyncio.Future[list[Any]]) -> bool:
    """A failed lookup is not kept: the next connection asks again."""
    return lookup.done() and (lookup.cancelled() or lookup.exception() is not None)


class _Connection(asyncio.Protocol):
    """One connection: sends a request, parses its answer, says whether it may be reused."""

    def __init__(self, key: _Key, max_head: int, max_body: int) -> None:
        self.key = key
        self.idle_since = 0.0
        self.reusable = False
        self._max_head, self._max_body = max_head, max_body
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[httpx.Response] | None = None
        self._request: httpx.Request | None = None
        self._lost = False
        self._last_read = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._reset_answer()

    def _reset_answer(self) -> None:
        self._received = 0  # bytes of this answer (or of an unexpected one)
        self._head_done = False
        self._until_close = False
        self._reason = b""
        self._head_size = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._body_size = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's is one, without subclassing asyncio.Transport).
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._answer is None or self._answer.done():
            self.close()  # bytes nobody asked for: this connection's state is unknown
            return
        self._received += len(data)
        self._last_read = asyncio.get_running_loop().time()
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            self._fail(httpx.RemoteProtocolError, str(exc.__context__ or exc))
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError, f"Not an HTTP/1.1 answer: {exc}")
        else:
            if not self._head_done and self._received > self._max_head:  # a head without an end
                self._fail(httpx.RemoteProtocolError, "The answer's head is too large.")

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self.reusable = False
        if self._answer is None or self._answer.done():
            return
        if self._received == 0:
            self._fail(NoAnswer, "The server closed the connection without answering.")
        elif self._head_done and self._until_close:
            self._complete()  # a body delimited by the end of the connection
        else:
            self._fail(httpx.RemoteProtocolError, "The server closed the connection mid-answer.")

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self._answer is None or self._answer.done():
            self.reusable = False  # a second answer to one request: the connection is out of step

    def on_status(self, reason: bytes) -> None:
        self._reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 4
        if self._head_size > self._max_head:
            raise httpx.RemoteProtocolError("The answer's head is too large.")
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._head_done = True
        status = self._parser.get_status_code()
        names = {name.lower() for name, _ in self._headers}
        self._until_close = not (
            status < 200
            or status in (204, 304)
            or b"content-length" in names
            or b"transfer-encoding" in names
        )
        if self._request is not None and self._request.method == "HEAD":
            # llhttp would wait for the body the headers announce: answer now, never reuse.
            self._complete()
            self.close()

    def on_body(self, chunk: bytes) -> None:
        self._body_size += len(chunk)
        if self._body_size > self._max_body:
            raise httpx.RemoteProtocolError("The answer's body is too large.")
        self._body.append(chunk)

    def on_message_complete(self) -> None:
        if self._answer is None or self._answer.done():
            return
        if 100 <= self._parser.get_status_code() < 200:
            self._reset_answer()  # an interim answer (100 Continue, 103): the real one follows
            self._received = 1
            return
        self.reusable = self._parser.should_keep_alive() and not self._lost
        self._complete()

    # Used by the transport

    @property
    def usable(self) -> bool:
        return not self._lost and self._transport is not None and not self._transport.is_closing()

    async def exchange(
        self, request: httpx.Request, head: bytes, body: bytes, read: float | None
    ) -> httpx.Response:
        if self._transport is None or not self.usable:
            raise NoAnswer("The connection closed before the request was sent.", request=request)
        loop = asyncio.get_running_loop()
        self._reset_answer()
        self.reusable = False
        self._request = request
        answer: asyncio.Future[httpx.Response] = loop.create_future()
        self._answer = answer
        self._transport.write(head + body)
        self._last_read = loop.time()
        self._timer = None if read is None else loop.call_at(self._last_read + read, self._check_read, read)
        try:
            return await answer
        finally:
            if self._timer is not None:
                self._timer.cancel()
            self._answer = self._request = None

    def _check_read(self, read: float) -> None:
        # `read` seconds without a byte (httpcore's read timeout is per read, not per answer).
        loop = asyncio.get_running_loop()
        if self._last_read + read > loop.time():
            self._timer = loop.call_at(self._last_read + read, self._check_read, read)
        else:
            self._fail(httpx.ReadTimeout, "The server did not answer in time.")

    def close(self) -> None:
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    def _complete(self) -> None:
        assert self._answer is not None and self._request is not None
        body = b"".join(self._body)
        self._answer.set_result(
            httpx.Response(
                self._parser.get_status_code(),
                headers=self._headers,
                content=body,
                extensions={"http_version": b"HTTP/1.1", "reason_phrase": self._reason},
                request=self._request,
            )
        )

    def _fail(self, error: type[httpx.TransportError], message: str) -> None:
        self.close()
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error(message, request=self._request))


class Http1Transport(httpx.AsyncBaseTransport):
    """A pool of HTTP/1.1 connections, as `httpx.AsyncHTTPTransport` would keep for one host.

    `limits`: at most `max_connections` open at once (callers beyond wait for one, within the
    pool timeout), at most `max_keepalive_connections` kept idle, each for `keepalive_expiry`
    seconds (below the server's own idle timeout, so that a request is rarely sent on a connection
    the server is closing; when it is, the answer is `NoAnswer`, which the gateway retries).
    """

    def __init__(
        self,
        limits: httpx.Limits | None = None,
        *,
        max_head: int = MAX_HEAD_BYTES,
        max_body: int = MAX_BODY_BYTES,
        dns_cache: float = DNS_CACHE_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        self._max_connections = limits.max_connections
        self._max_idle = limits.max_keepalive_connections
        self._expiry = limits.keepalive_expiry
        self._max_head, self._max_body = max_head, max_body
        self._resolver = _Resolver(dns_cache)
        self._idle: dict[_Key, list[_Connection]] = {}
        self._open = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False
        self._ssl_context = ssl_context

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Not an HTTP URL: {url.scheme!r}", request=request)
        timeout = request.extensions.get("timeout", {})
        head, body = _serialise(request, await request.aread())
        port = url.port or (443 if url.scheme == "https" else 80)
        connection = await self._acquire((url.scheme, url.host, port), request, timeout)
        try:
            response = await connection.exchange(request, head, body, timeout.get("read"))
        except BaseException:
            connection.close()
            raise
        finally:
            self._release(connection)
        return response

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def _acquire(
        self, key: _Key, request: httpx.Request, timeouts: dict[str, float | None]
    ) -> _Connection:
        loop = asyncio.get_running_loop()
        pool = timeouts.get("pool")
        deadline = None if pool is None else loop.time() + pool
        while True:
            idle = self._idle.get(key)
            while idle:
                connection = idle.pop()
                if connection.usable and (
                    self._expiry is None or time.monotonic() - connection.idle_since < self._expiry
                ):
                    return connection
                connection.close()
                self._open -= 1
            if (
                self._max_connections is None
                or self._open < self._max_connections
                or self._close_other_idle()
            ):
                self._open += 1
                try:
                    return await self._connect(key, request, timeouts.get("connect"))
                except BaseException:
                    self._open -= 1
                    self._wake()
                    raise
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except BaseException as exc:
                if waiter.done():
                    self._wake()  # woken, but leaving: the turn goes to the next in line
                else:
                    waiter.cancel()
                    self._waiters.remove(waiter)
                if isinstance(exc, TimeoutError):
                    raise httpx.PoolTimeout("No connection came free in time.", request=request) from None
                raise

    def _close_other_idle(self) -> bool:
        for connections in self._idle.values():
            if connections:
                connections.pop(0).close()
                self._open -= 1
                return True
        return False

    async def _connect(self, key: _Key, request: httpx.Request, connect: float | None) -> _Connection:
        loop = asyncio.get_running_loop()
        scheme, host, port = key
        tls = None
        if scheme == "https":
            tls = self._ssl_context = self._ssl_context or ssl.create_default_context()
        try:
            async with asyncio.timeout(connect):
                addresses = await self._resolver.resolve(host, port)
                for number, (family, _kind, proto, _, address) in enumerate(addresses):
                    try:
                        _, connection = await loop.create_connection(
                            lambda: _Connection(key, self._max_head, self._max_body),
                            host=address[0],
                            port=address[1],
                            family=family,
                            proto=proto,
                            ssl=tls,
                            server_hostname=host if tls else None,
                        )
                        return connection
                    except OSError:
                        if number == len(addresses) - 1:
                            raise
        except TimeoutError:
            raise httpx.ConnectTimeout("Connecting to the server timed out.", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        raise httpx.ConnectError(f"No address for {host}.", request=request)  # pragma: no cover

    def _release(self, connection: _Connection) -> None:
        if connection.reusable and connection.usable and not self._closed:
            idle = self._idle.setdefault(connection.key, [])
            if self._max_idle is None or sum(map(len, self._idle.values())) < self._max_idle:
                connection.idle_since = time.monotonic()
                idle.append(connection)
                self._wake()
                return
            connection.close()
        else:
            connection.close()
        self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


def _serialise(request: httpx.Request, body: bytes) -> tuple[bytes, bytes]:
    """The request's head and body as they go on the wire (httpx has set Host and the length)."""
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    chunked = False
    for name, value in request.headers.raw:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name or b":" in name:
            raise httpx.LocalProtocolError("A header name or value holds a line break.", request=request)
        chunked = chunked or (name.lower() == b"transfer-encoding" and value.lower() == b"chunked")
        lines.append(name + b": " + value)
    if chunked:
        body = (b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)) if body else b"0\r\n\r\n"
    return b"\r\n".join(lines) + b"\r\n\r\n", body
