"""The transports under the generated client, over real sockets: answers arrive whole,
connections are reused, and every failure is the httpx exception AuthGateway handles.

Every test runs over each transport the project keeps: ours (`info_service/http1.py`, the
default) and aiohttp's (`bench/aiohttp_transport.py`, kept for `make bench`). The hostile server
suite is `test_hostile_auth.py`."""

import asyncio
import gzip
import json
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
import uvloop

from bench.aiohttp_transport import AiohttpTransport
from common.ratelimit import RateLimitSettings
from info_service import create_app
from info_service.auth_http import pool_limits
from info_service.config import Settings
from info_service.http1 import Http1Transport, NoAnswer
from tests.fakes import UNAUTHORIZED
from tools.asgi import ServedTransport
from tools.launch import free_port

pytestmark = pytest.mark.anyio

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
MakeTransport = Callable[..., httpx.AsyncBaseTransport]


TRANSPORTS = pytest.fixture(params=[Http1Transport, AiohttpTransport], ids=["ours", "aiohttp"])


@TRANSPORTS
def make_transport(request: pytest.FixtureRequest) -> MakeTransport:
    """A transport class the project keeps: called with optional `httpx.Limits`."""
    return request.param


class FakeAuth:
    """A TCP server on a free port that plays `handler` on each connection."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def fake_auth(handler: Handler) -> AsyncIterator[tuple[FakeAuth, str]]:
    fake = FakeAuth(handler)
    server = await asyncio.start_server(fake._serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield fake, f"http://127.0.0.1:{port}"


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.lower().split(b"\r\n")
            if line.startswith(b"content-length:")
        ),
        0,
    )
    return head, await reader.readexactly(length)


def answering(
    status: bytes, headers: list[bytes], body: bytes, requests: list[bytes] | None = None
) -> Handler:
    """Answers every request on the connection (keep-alive) with the same response."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, content = await read_request(reader)
            if requests is not None:
                requests.append(head + content)
            lines = [b"HTTP/1.1 " + status, *headers, b"Content-Length: %d" % len(body)]
            writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
            await writer.drain()

    return handler


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await asyncio.sleep(30)


async def hangs_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"SPEAKS NO HTTP\r\n\r\n")
    await writer.drain()


async def truncated(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"subj')
    await writer.drain()


async def half_a_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Le")
    await writer.drain()


def client(
    url: str, make_transport: MakeTransport, read: float = 1.0, connect: float = 1.0
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url, transport=make_transport(), timeout=httpx.Timeout(read, connect=connect)
    )


async def test_the_request_goes_out_and_the_answer_comes_back_whole(make_transport):
    seen: list[bytes] = []
    handler = answering(
        b"201 Created",
        [b"Content-Type: application/json", b"Set-Thing: a", b"Set-Thing: b"],
        b'{"a": 1}',
        seen,
    )
    async with fake_auth(handler) as (_, url), client(url, make_transport) as http:
        response = await http.post("/login/?x=1", headers={"Authorization": "Bearer t0k"}, content=b"hi")

    assert (response.status_code, response.reason_phrase, response.http_version) == (
        201,
        "Created",
        "HTTP/1.1",
    )
    assert response.json() == {"a": 1}
    assert response.headers.get_list("set-thing") == ["a", "b"]
    [request] = seen
    assert request.startswith(b"POST /login/?x=1 HTTP/1.1\r\n")
    assert b"\r\nauthorization: bearer t0k\r\n" in request.lower()
    assert b"content-type" not in request.lower(), "no header httpx did not send"
    assert request.endswith(b"\r\n\r\nhi")


async def test_a_compressed_answer_is_decoded_as_httpx_would(make_transport):
    body = gzip.compress(json.dumps({"subject": "demo"}).encode())
    handler = answering(b"200 OK", [b"Content-Type: application/json", b"Content-Encoding: gzip"], body)
    async with fake_auth(handler) as (_, url), client(url, make_transport) as http:
        response = await http.post("/login/")

    assert response.json() == {"subject": "demo"}


async def test_a_cookie_set_by_auth_is_never_sent_back(make_transport):
    seen: list[bytes] = []
    handler = answering(b"200 OK", [b"Set-Cookie: session=alice; Path=/"], b"{}", seen)
    transport = make_transport()  # alone: httpx's client has a cookie jar of its own
    async with fake_auth(handler) as (_, url):
        try:
            for _ in range(2):
                # A host name: aiohttp's default jar would ignore cookies from an IP address.
                host_url = url.replace("127.0.0.1", "localhost")
                await transport.handle_async_request(httpx.Request("POST", f"{host_url}/login/"))
        finally:
            await transport.aclose()

    assert len(seen) == 2
    assert all(b"cookie" not in request.lower() for request in seen)


async def test_one_connection_serves_consecutive_requests(make_transport):
    async with fake_auth(answering(b"200 OK", [], b"{}")) as (fake, url), client(url, make_transport) as http:
        for _ in range(5):
            assert (await http.post("/login/")).status_code == 200

    assert fake.connections == 1


async def test_a_refused_connection_is_a_connect_error(make_transport):
    async with client(f"http://127.0.0.1:{free_port()}", make_transport) as http:
        with pytest.raises(httpx.ConnectError):
            await http.post("/login/")


async def test_silence_is_a_read_timeout_after_the_read_timeout(make_transport):
    async with fake_auth(silent) as (_, url), client(url, make_transport, read=0.1) as http:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await http.post("/login/")
        waited = time.monotonic() - started

    assert 0.1 <= waited < 5, "gave up before the timeout, or ignored it"


async def test_a_connect_that_gets_no_answer_is_a_connect_timeout(make_transport):
    # A listening socket whose backlog is full: the kernel drops further SYNs, so connect hangs.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(0)
        port = sock.getsockname()[1]
        fillers = []
        for _ in range(2):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        await asyncio.sleep(0.1)
        try:
            # The read (and pool) timeout is long: giving up early proves the connect timeout did it.
            async with client(f"http://127.0.0.1:{port}", make_transport, read=10.0, connect=0.1) as http:
                started = time.monotonic()
                with pytest.raises(httpx.ConnectTimeout):
                    await http.post("/login/")
                assert time.monotonic() - started < 5.0
        finally:
            for filler in fillers:
                filler.close()


@pytest.mark.parametrize(
    ("handler", "no_answer"),
    [(hangs_up, True), (garbage, False), (truncated, False), (half_a_head, False)],
    ids=["hangs-up", "not-http", "truncated", "half-a-head"],
)
async def test_a_broken_answer_is_a_remote_protocol_error(handler, no_answer, make_transport):
    async with fake_auth(handler) as (_, url), client(url, make_transport) as http:
        with pytest.raises(httpx.RemoteProtocolError) as raised:
            await http.post("/login/")

    assert isinstance(raised.value, NoAnswer) is no_answer, "only a hang-up before any byte is no answer"


# Through the info service: AuthGateway's error handling, over the real transport.


@asynccontextmanager
async def info_calling(
    url: str, make_transport: MakeTransport, **settings
) -> AsyncIterator[httpx.AsyncClient]:
    configured = Settings(auth_url=url, **settings)
    app = create_app(configured, auth_transport=make_transport(pool_limits(configured)))
    async with httpx.AsyncClient(transport=ServedTransport(app), base_url="http://info") as info:
        yield info


@pytest.mark.parametrize(
    ("handler", "connections", "detail"),
    [
        (silent, 1, "The auth service did not answer in time."),
        (hangs_up, 2, "The auth service gave an answer outside its contract."),
        (garbage, 1, "The auth service gave an answer outside its contract."),
        (truncated, 1, "The auth service gave an answer outside its contract."),
        (half_a_head, 1, "The auth service gave an answer outside its contract."),
    ],
    ids=["silent", "hangs-up", "not-http", "truncated", "half-a-head"],
)
async def test_auth_failures_over_the_network_are_503s(handler, connections, detail, make_transport):
    async with (
        fake_auth(handler) as (fake, url),
        info_calling(url, make_transport, auth_read_timeout=0.1) as info,
    ):
        response = await info.get("/info/", headers={"Authorization": "merixstudio"})

    assert response.status_code == 503
    assert response.json()["detail"] == detail
    assert fake.connections == connections, "only requests that got no answer are retried, once"


async def test_an_unreachable_auth_is_retried_once_then_a_503(make_transport):
    url = f"http://127.0.0.1:{free_port()}"
    async with info_calling(url, make_transport) as info:
        response = await info.get("/info/", headers={"Authorization": "merixstudio"})

    assert response.status_code == 503
    assert response.json()["detail"] == "The auth service is unreachable."


async def test_concurrent_callers_over_one_pool_never_see_each_others_token(make_transport):
    # Auth accepts a token only from the caller it belongs to (`good-<i>` with request id `caller-<i>`),
    # so a token or request id crossing to another caller turns a 200 into a 401.
    seen: list[tuple[bytes, bytes]] = []

    async def auth(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, _ = await read_request(reader)
            lines = (line.split(b": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line)
            fields = {name.lower(): value for name, value in lines}  # names are case-insensitive
            token, request_id = fields[b"authorization"], fields[b"x-request-id"]
            seen.append((request_id, token))
            await asyncio.sleep(0.001 * (len(seen) % 5))
            if token == b"good-" + request_id.removeprefix(b"caller-"):
                body, status = b'{"subject": "%s"}' % token, b"200 OK"
            else:
                body = json.dumps(UNAUTHORIZED).encode()
                status = b"401 Unauthorized"
            writer.write(
                b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (status, len(body), body)
            )
            await writer.drain()

    # 100 callers queue for 10 connections: generous timeouts (the pool wait is the read timeout),
    # so that a busy machine cannot turn a wait into a 503.
    slack = {"auth_read_timeout": 30, "auth_connect_timeout": 30}
    # All callers share one address here: a budget of failures larger than the test.
    unlimited = RateLimitSettings(failures=10_000)
    async with (
        fake_auth(auth) as (fake, url),
        info_calling(url, make_transport, auth_pool_size=10, rate_limit=unlimited, **slack) as info,
    ):

        async def call(i: int) -> int:
            token = f"good-{i}" if i % 2 else f"bad-{i}"
            headers = {"Authorization": token, "X-Request-ID": f"caller-{i}"}
            return (await info.get("/info/", headers=headers)).status_code

        statuses = await asyncio.gather(*(call(i) for i in range(100)))

    assert statuses == [200 if i % 2 else 401 for i in range(100)]
    assert sorted(seen) == sorted(
        (b"caller-%d" % i, b"good-%d" % i if i % 2 else b"bad-%d" % i) for i in range(100)
    )
    assert 1 < fake.connections <= 10, "callers shared the pool concurrently, within its size"


async def test_the_request_goes_out_as_httpx_built_it_and_a_redirect_comes_back_unfollowed(make_transport):
    seen: list[bytes] = []
    handler = answering(b"302 Found", [b"Location: /elsewhere"], b"", seen)
    transport = make_transport()  # alone: no client adds headers of its own
    async with fake_auth(handler) as (_, url):
        try:
            response = await transport.handle_async_request(
                httpx.Request("POST", f"{url}/login/%7Ex?next=%2Fa%20b&q=%C3%A9")
            )
        finally:
            await transport.aclose()

    assert response.status_code == 302, "redirects are the caller's to follow, or not"
    [request] = seen
    assert request.startswith(b"POST /login/%7Ex?next=%2Fa%20b&q=%C3%A9 HTTP/1.1\r\n"), "sent as encoded"
    names = {line.split(b":")[0].lower() for line in request.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]}
    assert names <= {b"host", b"content-length"}, "no header aiohttp adds by itself"


async def test_waiting_for_a_pooled_connection_is_bounded_by_the_pool_timeout(make_transport):
    transport = make_transport(httpx.Limits(max_connections=1))
    timeout = httpx.Timeout(5.0, pool=0.2, connect=0.2).as_dict()
    async with fake_auth(silent) as (_, url):
        try:
            first = asyncio.ensure_future(
                transport.handle_async_request(
                    httpx.Request("POST", f"{url}/login/", extensions={"timeout": timeout})
                )
            )
            await asyncio.sleep(0.1)  # the one connection is taken, and auth never answers
            started = time.monotonic()
            request = httpx.Request("POST", f"{url}/login/", extensions={"timeout": timeout})
            with pytest.raises(httpx.TimeoutException) as raised:
                await transport.handle_async_request(request)
            waited = time.monotonic() - started
            first.cancel()
        finally:
            await transport.aclose()

    assert raised.value.request is request
    # httpcore's PoolTimeout; aiohttp counts the wait for a connection as part of the connect.
    assert type(raised.value) is (
        httpx.PoolTimeout if make_transport is Http1Transport else httpx.ConnectTimeout
    )
    assert waited < 4.0, "gave up on the pool, not after the first request's read timeout"


@pytest.mark.parametrize(("status_line", "reason"), [(b"299 Fine", "Fine"), (b"299", "")])
async def test_the_reason_phrase_is_the_one_sent(status_line, reason, make_transport):
    async with fake_auth(answering(status_line, [], b"")) as (_, url), client(url, make_transport) as http:
        response = await http.post("/login/")

    assert (response.status_code, response.reason_phrase) == (299, reason)


async def test_a_pool_without_a_timeout_still_bounds_the_connect(make_transport):
    async with fake_auth(answering(b"200 OK", [], b"{}")) as (_, url):
        timeout = httpx.Timeout(1.0, pool=None)
        async with httpx.AsyncClient(base_url=url, transport=make_transport(), timeout=timeout) as http:
            assert (await http.post("/login/")).status_code == 200


async def test_infos_read_timeout_is_the_one_configured(make_transport):
    async with (
        fake_auth(silent) as (_, url),
        info_calling(url, make_transport, auth_read_timeout=0.1) as info,
    ):
        started = time.monotonic()
        response = await info.get("/info/", headers={"Authorization": "merixstudio"})
        waited = time.monotonic() - started

    assert response.json()["detail"] == "The auth service did not answer in time."
    assert waited < 4.0, "httpx's default (5 s), not AUTH_READ_TIMEOUT"


async def test_a_new_connection_finds_a_restarted_auth_within_a_second(make_transport, monkeypatch):
    # auth.test is auth's name; its address changes when the container restarts (docs/deploy.md).
    address: dict[str, int] = {}
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "auth.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", address["port"]))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    closing = answering(b"200 OK", [b"Connection: close"], b"{}")
    async with fake_auth(closing) as (old, old_url), fake_auth(closing) as (new, new_url):
        address["port"] = int(old_url.rsplit(":", 1)[1])
        async with httpx.AsyncClient(base_url="http://auth.test", transport=make_transport()) as http:
            # A burst of new connections: one lookup.
            await asyncio.gather(*(http.post("/login/") for _ in range(5)))
            address["port"] = int(new_url.rsplit(":", 1)[1])  # auth restarted elsewhere
            await asyncio.sleep(1.1)
            assert (await http.post("/login/")).status_code == 200

    assert (old.connections, new.connections) == (5, 1)
    assert lookups == ["auth.test", "auth.test"]


async def test_an_idle_connection_is_dropped_after_the_keep_alive_expiry(make_transport):
    async with fake_auth(answering(b"200 OK", [], b"{}")) as (fake, url):
        transport = make_transport(httpx.Limits(keepalive_expiry=0.2))
        async with httpx.AsyncClient(base_url=url, transport=transport) as http:
            await http.post("/login/")
            await http.post("/login/")  # at once: the same connection
            await asyncio.sleep(0.4)
            await http.post("/login/")

    assert fake.connections == 2


async def test_closing_the_transport_closes_its_idle_connections(make_transport):
    closed = asyncio.Event()

    async def one_then_wait_for_eof(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await answering(b"200 OK", [], b"{}")(reader, writer)  # returns at EOF (IncompleteReadError)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await one_then_wait_for_eof(reader, writer)
        finally:
            closed.set()

    async with fake_auth(handler) as (_, url):
        transport = make_transport()
        await transport.handle_async_request(httpx.Request("POST", f"{url}/login/"))
        await transport.aclose()
        await asyncio.wait_for(closed.wait(), 2)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for localhost, made by the openssl command (Debian's)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
    subprocess.run(
        [*command.split(), "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.processes
async def test_https_is_verified_against_the_trust_store(certificate):
    cert, key = certificate
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=cert)
    fake = FakeAuth(answering(b"200 OK", [], b"{}"))
    server = await asyncio.start_server(fake._serve, "127.0.0.1", 0, ssl=server_side)
    url = f"https://localhost:{server.sockets[0].getsockname()[1]}/login/"
    async with server:
        for transport, expected in [(Http1Transport(ssl_context=trusting), 200), (Http1Transport(), None)]:
            try:
                if expected is None:  # the system's trust store does not know this certificate
                    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                        await transport.handle_async_request(httpx.Request("POST", url))
                else:
                    for _ in range(2):
                        response = await transport.handle_async_request(httpx.Request("POST", url))
                        assert response.status_code == expected
            finally:
                await transport.aclose()

    # The refused handshake never reaches the handler.
    assert fake.connections == 1, "one kept-alive TLS connection for both requests"


@pytest.mark.parametrize("make_transport", [Http1Transport, AiohttpTransport], ids=["ours", "aiohttp"])
def test_the_transport_works_on_uvloop(make_transport):
    # uvicorn runs info on uvloop, whose transports are not asyncio's classes.
    async def calls() -> list[object]:
        results: list[object] = []
        ok = answering(b"200 OK", [], b"{}")
        async with fake_auth(ok) as (fake, url), client(url, make_transport) as http:
            results += [(await http.post("/login/")).status_code for _ in range(2)]
            results.append(fake.connections)
        async with fake_auth(truncated) as (_, url), client(url, make_transport) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.post("/login/")
        async with fake_auth(silent) as (_, url), client(url, make_transport, read=0.1) as http:
            with pytest.raises(httpx.ReadTimeout):
                await http.post("/login/")
        return results

    assert uvloop.run(calls()) == [200, 200, 1]
