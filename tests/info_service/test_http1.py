"""Our transport's own bookkeeping, exactly (`info_service/http1.py`): how many bytes of an answer
it reads, when its read timeout fires, what its errors carry, which connections its pool keeps,
closes and counts, and when it asks DNS again.

The caps are read on the connection's protocol object, fed the reads the event loop would hand
it (a real socket decides where one read ends, and the caps are counted per read); the rest runs
over real sockets, on free ports. `test_transport.py` and `test_hostile_auth.py` hold the
outcomes every transport the project keeps must share.
"""

import asyncio
import contextlib
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
import pytest

from info_service.http1 import MAX_BODY_BYTES, MAX_HEAD_BYTES, Http1Transport, NoAnswer, _Connection
from tests.info_service.test_transport import read_request
from tools.launch import free_port

pytestmark = pytest.mark.anyio

# Every test is bounded: a transport that never answers fails here in seconds, not at a timeout.
BOUND = 5.0


class Wire(asyncio.Transport):
    """The socket under one connection: what was written to it, and whether it was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


@dataclass
class Exchange:
    request: httpx.Request
    outcome: httpx.Response | httpx.TransportError | None  # None: still waiting for bytes
    closed: bool  # the connection was closed (before the caller even ran again)
    reusable: bool


async def exchange(*reads: bytes, hang_up: bool = False, method: str = "POST") -> Exchange:
    """One request on a fresh connection, then `reads` as the event loop would deliver them."""
    connection = _Connection(("http", "auth.test", 80), MAX_HEAD_BYTES, MAX_BODY_BYTES)
    wire = Wire()
    connection.connection_made(wire)
    request = httpx.Request(method, "http://auth.test/login/")
    task = asyncio.ensure_future(connection.exchange(request, b"HEAD", b"", None))
    await asyncio.sleep(0)
    assert wire.written == b"HEAD"
    for read in reads:
        connection.data_received(read)
    if hang_up:
        connection.connection_lost(None)
    closed = wire.closed
    await asyncio.sleep(0)
    outcome: httpx.Response | httpx.TransportError | None = None
    if task.done():
        outcome = task.exception() or task.result()  # type: ignore[assignment]
    else:
        task.cancel()
    return Exchange(request, outcome, closed, connection.reusable)


def refused(result: Exchange, message: str) -> bool:
    """The answer was refused as an answer (never retried), the connection closed at once."""
    error = result.outcome
    assert isinstance(error, httpx.RemoteProtocolError) and not isinstance(error, NoAnswer), error
    assert error.request is result.request, "httpx's errors carry the request they belong to"
    assert str(error) == message
    assert result.closed and not result.reusable
    return True


def waiting(result: Exchange) -> bool:
    assert result.outcome is None, result.outcome
    assert not result.closed
    return True


HEAD = b"HTTP/1.1 200 OK\r\nX-Pad: "  # a head that has not ended


def unfinished_head(size: int) -> list[bytes]:
    """`size` bytes of a head that never ends, in two reads."""
    head = HEAD + b"a" * (size - len(HEAD))
    return [head[:-1], head[-1:]]


# The head: 64 KiB of reads before its end, and 64 KiB of header lines.


@pytest.mark.parametrize("size", [MAX_HEAD_BYTES - 1, MAX_HEAD_BYTES])
async def test_an_unfinished_head_is_read_up_to_64_kib(size):
    assert waiting(await exchange(*unfinished_head(size)))


async def test_an_unfinished_head_is_refused_at_64_kib_and_one_byte():
    assert refused(await exchange(*unfinished_head(MAX_HEAD_BYTES + 1)), "The answer's head is too large.")


def head_with_header_lines(size: int, body: bytes = b"{}") -> bytes:
    """A whole answer whose header lines (name, `: `, value, CRLF) add up to `size` bytes: lines of
    about 1 KiB, and one that pads."""
    lines = [b"Content-Length: %d\r\n" % len(body)]
    lines += [b"X-%02d: %s\r\n" % (i, b"v" * 1000) for i in range(60)]
    pad = size - sum(map(len, lines)) - len(b"X-Pad: \r\n")
    lines.append(b"X-Pad: " + b"a" * pad + b"\r\n")
    return b"HTTP/1.1 200 OK\r\n" + b"".join(lines) + b"\r\n" + body


async def test_header_lines_of_64_kib_are_accepted():
    # The whole head in one read: it ends within the read, so only its header lines count.
    answer = head_with_header_lines(MAX_HEAD_BYTES)
    result = await exchange(answer)

    assert isinstance(result.outcome, httpx.Response), result.outcome
    assert len(answer) > MAX_HEAD_BYTES, "the status line and the head's end are not counted"
    assert len(result.outcome.headers) == 62
    assert result.outcome.content == b"{}"
    assert result.reusable and not result.closed


async def test_header_lines_of_64_kib_and_one_byte_are_refused():
    assert refused(
        await exchange(head_with_header_lines(MAX_HEAD_BYTES + 1)), "The answer's head is too large."
    )


async def test_after_an_interim_answer_the_heads_count_starts_again():
    # A 100 Continue whose head is 40 KiB, then a final answer whose head has not ended. The
    # interim answer counts as one byte received (so that a hang-up after it is not `NoAnswer`).
    interim = b"HTTP/1.1 100 Continue\r\nX-Pad: " + b"a" * 40_000 + b"\r\n\r\n"
    under = unfinished_head(MAX_HEAD_BYTES - 1)
    over = unfinished_head(MAX_HEAD_BYTES)

    assert waiting(await exchange(interim, *under))
    assert refused(await exchange(interim, *over), "The answer's head is too large.")


async def test_a_hang_up_after_an_interim_answer_is_an_answer_cut_short():
    result = await exchange(b"HTTP/1.1 100 Continue\r\n\r\n", hang_up=True)

    assert refused(result, "The server closed the connection mid-answer.")


# The body: 1 MiB as sent, however it is framed and read.


def in_reads(data: bytes, size: int = 256 * 1024) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [MAX_BODY_BYTES - 1, MAX_BODY_BYTES])
async def test_a_body_of_up_to_1_mib_is_read_whole(size):
    body = b"x" * size
    result = await exchange(*in_reads(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (size, body)))

    assert isinstance(result.outcome, httpx.Response), result.outcome
    assert result.outcome.content == body
    assert result.reusable


async def test_a_body_of_1_mib_and_one_byte_is_refused():
    size = MAX_BODY_BYTES + 1
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (size, b"x" * size)

    assert refused(await exchange(*in_reads(answer)), "The answer's body is too large.")


def chunked(body: bytes, size: int = 100_000) -> bytes:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in in_reads(body, size))
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"


async def test_a_chunked_body_counts_all_its_chunks():
    at_cap, over = b"y" * MAX_BODY_BYTES, b"y" * (MAX_BODY_BYTES + 1)

    accepted = await exchange(*in_reads(chunked(at_cap)))
    assert isinstance(accepted.outcome, httpx.Response) and accepted.outcome.content == at_cap
    assert refused(await exchange(*in_reads(chunked(over))), "The answer's body is too large.")


# What each error carries.


@pytest.mark.parametrize(
    ("reads", "hang_up", "error", "message"),
    [
        ([], True, NoAnswer, "The server closed the connection without answering."),
        (
            [b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{"],
            True,
            httpx.RemoteProtocolError,
            "The server closed the connection mid-answer.",
        ),
        ([b"SPEAKS NO HTTP\r\n\r\n"], False, httpx.RemoteProtocolError, "Not an HTTP/1.1 answer: "),
    ],
    ids=["nothing", "cut-short", "not-http"],
)
async def test_each_failure_is_its_httpx_error_with_its_request_and_message(reads, hang_up, error, message):
    result = await exchange(*reads, hang_up=hang_up)

    assert isinstance(result.outcome, httpx.TransportError) and type(result.outcome) is error, result.outcome
    assert result.outcome.request is result.request
    if message.endswith(": "):  # then the parser's reason
        assert str(result.outcome).startswith(message) and len(str(result.outcome)) > len(message)
    else:
        assert str(result.outcome) == message
    assert not result.reusable


# The connection's own rules, outside one answer.


def fresh_connection() -> tuple[_Connection, Wire]:
    connection = _Connection(("http", "auth.test", 80), MAX_HEAD_BYTES, MAX_BODY_BYTES)
    wire = Wire()
    connection.connection_made(wire)
    return connection, wire


async def test_bytes_nobody_asked_for_close_the_connection_quietly():
    connection, wire = fresh_connection()
    request = httpx.Request("POST", "http://auth.test/login/")
    answer = asyncio.ensure_future(connection.exchange(request, b"HEAD", b"", None))
    await asyncio.sleep(0)
    connection.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    assert (await answer).content == b"{}"
    assert connection.reusable and not wire.closed

    connection.data_received(b"HTTP/1.1 200 OK\r\n")  # while idle: its state is unknown now

    assert wire.closed and not connection.reusable


async def test_a_request_on_a_connection_already_closed_is_never_sent():
    connection, wire = fresh_connection()
    wire.close()  # e.g. auth closed it while it was idle
    request = httpx.Request("POST", "http://auth.test/login/")

    with pytest.raises(NoAnswer) as caught:
        await asyncio.wait_for(connection.exchange(request, b"HEAD", b"", None), BOUND)

    assert str(caught.value) == "The connection closed before the request was sent."
    assert caught.value.request is request
    assert wire.written == b"", "retried by the gateway: it must not have gone out"


async def test_a_reason_phrase_split_across_reads_arrives_whole():
    result = await exchange(b"HTTP/1.1 299 Very Unu", b"sual Reason\r\nContent-Length: 0\r\n\r\n")

    assert isinstance(result.outcome, httpx.Response), result.outcome
    assert (result.outcome.status_code, result.outcome.reason_phrase) == (299, "Very Unusual Reason")


@pytest.mark.parametrize("status", [b"200 OK", b"205 Reset Content", b"305 Use Proxy", b"503 Unavailable"])
async def test_without_a_length_an_answer_runs_until_the_connection_closes(status):
    # Only 1xx, 204 and 304 answers end with their head (RFC 9112 6.3); 205 may end by closing.
    body = b"" if status.startswith(b"205") else b"the rest"
    result = await exchange(b"HTTP/1.1 " + status + b"\r\n\r\n" + body, hang_up=True)

    assert isinstance(result.outcome, httpx.Response), result.outcome
    assert (result.outcome.status_code, result.outcome.content) == (int(status[:3]), body)
    assert not result.reusable


# The read timeout: `read` seconds without a byte, counted from the last byte.


@dataclass
class Dripping:
    """An auth that sends its answer in timed pieces (seconds after the request), then stalls."""

    pieces: list[tuple[float, bytes]]
    sent_at: list[float] = field(default_factory=list)

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        started = asyncio.get_running_loop().time()
        for at, piece in self.pieces:
            await asyncio.sleep(max(0.0, started + at - asyncio.get_running_loop().time()))
            writer.write(piece)
            await writer.drain()
            self.sent_at.append(asyncio.get_running_loop().time())
        await asyncio.sleep(BOUND * 2)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serving(
    handler: Handler, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """`handler` on a free port of `host` (Linux routes all of 127/8 to lo)."""

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(guarded, host, 0, ssl=tls)
    async with server:
        yield f"{'https' if tls else 'http'}://{host}:{server.sockets[0].getsockname()[1]}"


@asynccontextmanager
async def serving_each(*handlers: Handler) -> AsyncIterator[list[str]]:
    """Each handler served as by `serving`, their URLs in the same order."""
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(serving(handler)) for handler in handlers]


async def post(
    transport: httpx.AsyncBaseTransport,
    url: str,
    read: float | None = 1.0,
    pool: float = 1.0,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    timeout = {"connect": 1.0, "read": read, "write": None, "pool": pool}
    request = httpx.Request("POST", f"{url}/login/", headers=headers, extensions={"timeout": timeout})
    response = await asyncio.wait_for(transport.handle_async_request(request), BOUND)
    await response.aread()
    return response


async def test_a_stall_after_some_bytes_times_out_read_seconds_after_the_last_byte():
    auth = Dripping([(0.1, b"HTTP/1.1 200 OK\r\n"), (0.2, b"Content-Length: 2\r\n")])
    transport = Http1Transport()
    async with serving(auth) as url:
        try:
            with pytest.raises(httpx.ReadTimeout) as caught:
                await post(transport, url, read=0.25)
            failed_at = asyncio.get_running_loop().time()
        finally:
            await transport.aclose()

    # Not 0.25 s after the request (the first check finds a byte 0.05 s old and waits on).
    assert failed_at - auth.sent_at[-1] >= 0.25 - 0.005
    assert str(caught.value) == "The server did not answer in time."
    assert caught.value.request.url.path == "/login/"


async def test_waiting_for_a_slow_answer_costs_no_cpu():
    # Bytes every 0.15 s, the read timeout 0.2 s: the timeout is checked again and again, and
    # must wait each time (a check scheduled in the past would spin until the answer ends).
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
    auth = Dripping([(0.15, head[:10]), (0.3, head[10:20]), (0.45, head[20:]), (0.6, b"{}")])
    transport = Http1Transport()
    async with serving(auth) as url:
        try:
            cpu = time.process_time()
            response = await post(transport, url, read=0.2)
            cpu = time.process_time() - cpu
        finally:
            await transport.aclose()

    assert response.content == b"{}"
    assert cpu < 0.1, f"{cpu:.3f} s of CPU to wait 0.6 s"


# The pool: which idle connections it keeps, closes and counts.


@dataclass
class Counted:
    """An auth that answers every request (keep-alive; `Connection: close` to a request marked
    `X-Close: 1`) and knows which of its connections are open (numbered 1, 2, ... as accepted);
    connections numbered in `held` answer once `hold` is set."""

    answer: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    held: set[int] = field(default_factory=set)
    hold: asyncio.Event = field(default_factory=asyncio.Event)
    opened: int = 0
    closed: set[int] = field(default_factory=set)
    requests: list[int] = field(default_factory=list)  # the connection of each request

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened += 1
        number = self.opened
        try:
            while True:
                head, _ = await read_request(reader)
                self.requests.append(number)
                if number in self.held:
                    await self.hold.wait()
                writer.write(CLOSING if b"\r\nx-close: 1\r\n" in head.lower() else self.answer)
                await writer.drain()
        finally:
            self.closed.add(number)

    @property
    def open(self) -> set[int]:
        return set(range(1, self.opened + 1)) - self.closed


CLOSING = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"


async def settled(check: Callable[[], bool]) -> None:
    """Waits (2 s at most) until the servers have seen what the transport did."""
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.01)
    assert check()


def closed_all(auth: Counted) -> bool:
    return auth.open == set()


def idle(transport: Http1Transport) -> int:
    """Connections the pool keeps idle, all hosts together."""
    return sum(map(len, transport._idle.values()))


def live(auths: list[Counted]) -> int:
    """Connections open, as the servers see them."""
    return sum(len(auth.open) for auth in auths)


async def test_of_two_idle_connections_to_one_host_the_older_one_makes_room():
    a_auth, b_auth = Counted(held={2}), Counted()
    async with serving(a_auth) as a, serving(b_auth) as b:
        transport = Http1Transport(httpx.Limits(max_connections=2))
        try:
            # Two connections to a at once; the first answered (and idle) before the second.
            calls = [asyncio.ensure_future(post(transport, a)) for _ in range(2)]
            await settled(lambda: idle(transport) == 1)
            a_auth.hold.set()
            await asyncio.gather(*calls)
            assert (idle(transport), a_auth.open) == (2, {1, 2})

            await post(transport, b)  # the pool is full: a's older idle connection makes room
            await settled(lambda: a_auth.open == {2})
            assert idle(transport) == 2

            await post(transport, a)  # a's other idle connection serves it
        finally:
            await transport.aclose()

    assert a_auth.requests[-1] == 2
    assert (a_auth.opened, b_auth.opened) == (2, 1)


async def test_the_pool_never_opens_more_than_its_limit_and_always_serves_up_to_it():
    auths = [Counted() for _ in range(4)]
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    held = Counted(answer=closing, held={1, 2, 3})
    async with serving_each(*auths, held) as (a, b, c, d, h):
        transport = Http1Transport(httpx.Limits(max_connections=3))
        try:
            for step, url in enumerate((a, b, c, d, a, b)):
                await post(transport, url)  # from the fourth on: a full pool, a new host
                await settled(lambda: live(auths) <= 3)
                assert (live(auths), idle(transport)) == (min(step + 1, 3), min(step + 1, 3))

            # Three held requests to a new host: each takes the place of an idle connection.
            calls = [asyncio.ensure_future(post(transport, h, read=BOUND)) for _ in range(3)]
            await settled(lambda: len(held.requests) == 3 and live(auths) == 0)
            assert idle(transport) == 0

            # A fourth waits: the pool is full and nothing in it is idle.
            with pytest.raises(httpx.PoolTimeout, match=r"^No connection came free in time\.$") as caught:
                await post(transport, a, pool=0.2)
            assert caught.value.request.url.host == "127.0.0.1"
            held.hold.set()
            await asyncio.gather(*calls)  # answered with `Connection: close`: three places free
            await settled(lambda: held.open == set())
            assert idle(transport) == 0

            # Three at once get their connections: the pool counted every close.
            await asyncio.gather(*(post(transport, url, pool=1.0) for url in (a, b, c)))
            assert (live(auths), idle(transport)) == (3, 3)
        finally:
            await transport.aclose()


async def test_after_every_failure_the_connection_is_closed_and_its_place_freed():
    broken = [
        b"SPEAKS NO HTTP\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{",  # cut short, then a stall
        b"HTTP/1.1 200 OK\r\n" + b"X-Big: " + b"a" * MAX_HEAD_BYTES,
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n\r\n",  # two answers
    ]
    auths = [Counted(answer=answer) for answer in broken]
    good = Counted()
    async with serving_each(*auths, good) as (w, x, y, z, ok):
        transport = Http1Transport(httpx.Limits(max_connections=1))
        try:
            for auth, url in zip(auths, (w, x, y, z), strict=True):
                # The last one's first answer arrives whole; the others are errors.
                with contextlib.suppress(httpx.RemoteProtocolError, httpx.ReadTimeout):
                    await post(transport, url, read=0.3)
                await settled(partial(closed_all, auth))
                assert idle(transport) == 0
            for _ in range(2):  # the one place is free again, and a good connection is kept
                await post(transport, ok, pool=0.5)
            assert (good.opened, idle(transport)) == (1, 1)
        finally:
            await transport.aclose()


async def test_the_pool_keeps_at_most_max_keepalive_connections_idle():
    auth = Counted(held={1, 2, 3})
    async with serving(auth) as url:
        transport = Http1Transport(httpx.Limits(max_connections=3, max_keepalive_connections=2))
        try:
            calls = [asyncio.ensure_future(post(transport, url)) for _ in range(3)]
            await settled(lambda: len(auth.requests) == 3)
            auth.hold.set()
            await asyncio.gather(*calls)
            await settled(lambda: len(auth.open) == 2)
            assert idle(transport) == 2
        finally:
            await transport.aclose()


async def test_a_connection_closed_after_its_answer_frees_exactly_its_place():
    auth = Counted(answer=CLOSING, held={3, 4})
    async with serving(auth) as url:
        transport = Http1Transport(httpx.Limits(max_connections=1))
        try:
            for _ in range(2):  # each answer closes its connection
                await post(transport, url)
            assert idle(transport) == 0
            # Two at once: one place, so one connection at a time.
            first = asyncio.ensure_future(post(transport, url))
            second = asyncio.ensure_future(post(transport, url, pool=BOUND))
            await settled(lambda: len(auth.requests) == 3)
            await asyncio.sleep(0.1)  # time enough for a second connection, if the pool allowed it
            assert (auth.opened, len(auth.open)) == (3, 1)
            auth.hold.set()
            await asyncio.gather(first, second)
        finally:
            await transport.aclose()

    assert auth.opened == 4


async def test_an_expired_idle_connection_is_dropped_and_its_place_counted_once():
    auth = Counted(held={2})
    async with serving(auth) as url:
        transport = Http1Transport(httpx.Limits(max_connections=1, keepalive_expiry=0.1))
        try:
            await post(transport, url)
            await asyncio.sleep(0.2)
            calls = [asyncio.ensure_future(post(transport, url, pool=BOUND)) for _ in range(2)]
            await settled(lambda: auth.requests == [1, 2])
            await asyncio.sleep(0.1)  # time enough for a third connection, if the pool allowed it
            assert (auth.opened, auth.open) == (2, {2})
            auth.hold.set()
            await asyncio.gather(*calls)

            await post(transport, url, headers={"X-Close": "1"})  # closed after its answer
            await settled(lambda: auth.open == set())
            await post(transport, url, pool=0.5)  # its place is free
        finally:
            await transport.aclose()

    assert auth.requests == [1, 2, 2, 2, 3]


async def test_a_refused_connection_is_a_connect_error_that_frees_its_place():
    auth = Counted(held={1})
    port = free_port()
    request = httpx.Request("POST", f"http://127.0.0.1:{port}/login/")
    transport = Http1Transport(httpx.Limits(max_connections=1))
    async with serving(auth) as url:
        try:
            with pytest.raises(httpx.ConnectError) as caught:
                await transport.handle_async_request(request)
            # The one place is free again, and only one: a second caller waits for it.
            calls = [asyncio.ensure_future(post(transport, url, pool=BOUND)) for _ in range(2)]
            await settled(lambda: auth.requests == [1])
            await asyncio.sleep(0.1)  # time enough for a second connection, if the pool allowed it
            assert auth.opened == 1
            auth.hold.set()
            await asyncio.gather(*calls)
        finally:
            await transport.aclose()

    assert caught.value.request is request
    assert str(caught.value) == f"[Errno 111] Connect call failed ('127.0.0.1', {port})", "the OS's reason"
    assert auth.requests == [1, 1]


async def test_a_connect_that_gets_no_answer_is_a_connect_timeout_with_its_request():
    with socket.socket() as sock:  # a full backlog: the kernel drops further SYNs
        sock.bind(("127.0.0.1", 0))
        sock.listen(0)
        port = sock.getsockname()[1]
        fillers = [socket.socket() for _ in range(2)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        await asyncio.sleep(0.1)
        transport = Http1Transport()
        request = httpx.Request(
            "POST", f"http://127.0.0.1:{port}/login/", extensions={"timeout": {"connect": 0.2}}
        )
        try:
            with pytest.raises(httpx.ConnectTimeout) as caught:
                await asyncio.wait_for(transport.handle_async_request(request), BOUND)
        finally:
            await transport.aclose()
            for filler in fillers:
                filler.close()

    assert caught.value.request is request
    assert str(caught.value) == "Connecting to the server timed out."


# DNS: one lookup per name and second, a failed one not kept.


@dataclass
class Lookups:
    names: list[str] = field(default_factory=list)
    failures: list[OSError] = field(default_factory=list)  # the next lookups fail with these
    addresses: list[str] = field(default_factory=lambda: ["127.0.0.1"])
    ports: list[int] = field(default_factory=list)  # the port each lookup asked for
    port: int | None = None  # the port of the addresses found (None: the one asked for)


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Lookups:
    """`auth.test` resolves to `addresses` (127.0.0.1), once any queued failures are spent."""
    seen = Lookups()
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "auth.test":
            return real(host, port, *args, **kwargs)
        seen.names.append(host)
        seen.ports.append(port)
        if seen.failures:
            raise seen.failures.pop(0)
        found = port if seen.port is None else seen.port
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, found)) for address in seen.addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return seen


async def test_new_connections_within_a_second_share_one_lookup(lookups):
    auth = Counted(answer=CLOSING)
    async with serving(auth) as url:
        url = url.replace("127.0.0.1", "auth.test")
        transport = Http1Transport()
        try:
            for _ in range(3):  # one after the other
                await post(transport, url)
            await asyncio.gather(*(post(transport, url) for _ in range(3)))  # at once
        finally:
            await transport.aclose()

    assert auth.opened == 6
    assert lookups.names == ["auth.test"]


async def test_a_failed_lookup_is_asked_again_by_the_next_connection(lookups):
    lookups.failures.append(socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"))
    auth = Counted(answer=CLOSING)
    async with serving(auth) as url:
        url = url.replace("127.0.0.1", "auth.test")
        transport = Http1Transport()
        try:
            with pytest.raises(httpx.ConnectError, match="Temporary failure"):
                await post(transport, url)
            assert (await post(transport, url)).content == b"{}"  # at once, not a second later
        finally:
            await transport.aclose()

    assert lookups.names == ["auth.test", "auth.test"]
    assert auth.opened == 1


async def test_concurrent_first_connections_share_one_lookup_in_flight(lookups):
    auth = Counted(answer=CLOSING)
    async with serving(auth) as url:
        url = url.replace("127.0.0.1", "auth.test")
        transport = Http1Transport()
        try:
            responses = await asyncio.gather(*(post(transport, url) for _ in range(4)))
        finally:
            await transport.aclose()

    assert [r.content for r in responses] == [b"{}"] * 4
    assert lookups.names == ["auth.test"]


async def test_each_resolved_address_is_tried_in_turn(lookups):
    # auth.test has two addresses; nothing listens on the first, auth on the second (not
    # 127.0.0.1, so that a connection made anywhere else than to the address found fails).
    auth = Counted(answer=CLOSING)
    async with serving(auth, host="127.0.0.2") as url:
        port = int(url.rsplit(":", 1)[1])
        lookups.addresses = ["127.0.0.3", "127.0.0.2"]
        transport = Http1Transport()
        try:
            responses = [await post(transport, f"http://auth.test:{port}") for _ in range(2)]
        finally:
            await transport.aclose()

    assert [r.content for r in responses] == [b"{}", b"{}"]
    assert auth.opened == 2


# https: verified against the trust store, the name checked is the host's.

TLS = Path(__file__).parent / "tls"  # a self-signed certificate for auth.test, for these tests only


async def test_https_is_verified_against_the_given_trust_and_the_hosts_name(lookups):
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(TLS / "auth.test.pem", TLS / "auth.test.key")
    trusting = ssl.create_default_context(cafile=TLS / "auth.test.pem")
    auth = Counted()
    async with serving(auth, tls=server_side) as url:
        url = url.replace("127.0.0.1", "auth.test")
        transport = Http1Transport(ssl_context=trusting)
        try:
            responses = [await post(transport, url) for _ in range(2)]
        finally:
            await transport.aclose()

        untrusting = Http1Transport()  # the system's trust store does not know this certificate
        try:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await post(untrusting, url)
        finally:
            await untrusting.aclose()

    assert [r.content for r in responses] == [b"{}", b"{}"]
    assert (auth.opened, auth.requests) == (1, [1, 1]), "one kept-alive TLS connection"


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
async def test_a_url_without_a_port_goes_to_the_schemes_port(lookups, tls):
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(TLS / "auth.test.pem", TLS / "auth.test.key")
    auth = Counted()
    async with serving(auth, tls=server_side if tls else None) as url:
        lookups.port = int(url.rsplit(":", 1)[1])  # auth.test's port 80 (443) is this one
        trusting = ssl.create_default_context(cafile=TLS / "auth.test.pem")
        transport = Http1Transport(ssl_context=trusting)
        try:
            response = await post(transport, "https://auth.test" if tls else "http://auth.test")
        finally:
            await transport.aclose()

    assert response.content == b"{}"
    assert lookups.ports == [443 if tls else 80]


@pytest.mark.parametrize("url", ["ftp://auth.test/login/", "ws://auth.test/login/"])
async def test_a_url_that_is_not_http_is_refused(url):
    transport = Http1Transport()
    request = httpx.Request("POST", url)
    try:
        with pytest.raises(httpx.UnsupportedProtocol) as caught:
            await transport.handle_async_request(request)
    finally:
        await transport.aclose()

    assert caught.value.request is request
    assert str(caught.value) == f"Not an HTTP URL: {url.split(':')[0]!r}"


@pytest.mark.parametrize(
    "header",
    [(b"X-A", b"a\rb"), (b"X-A", b"a\nb"), (b"X\rA", b"v"), (b"X\nA", b"v"), (b"X:A", b"v")],
    ids=["cr-in-value", "lf-in-value", "cr-in-name", "lf-in-name", "colon-in-name"],
)
async def test_a_header_that_would_break_the_head_never_goes_out(header):
    auth = Counted()
    async with serving(auth) as url:
        transport = Http1Transport()
        request = httpx.Request("POST", f"{url}/login/", headers=[header])
        try:
            with pytest.raises(httpx.LocalProtocolError) as caught:
                await transport.handle_async_request(request)
        finally:
            await transport.aclose()

    assert caught.value.request is request
    assert str(caught.value) == "A header name or value holds a line break."
    assert auth.requests == []


async def test_a_body_of_unknown_length_goes_out_chunked():
    received: list[bytes] = []

    async def records(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readuntil(b"0\r\n\r\n")
            received.append(head.lower().split(b"\r\n", 1)[1] + body)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    async def stream(*pieces: bytes) -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    async with serving(records) as url:
        transport = Http1Transport()
        try:
            for pieces in [(), (b"abcdefghijklm", b"nopqrstuvwxyz")]:  # on one connection
                request = httpx.Request("POST", f"{url}/login/", content=stream(*pieces))
                await asyncio.wait_for(transport.handle_async_request(request), BOUND)
        finally:
            await transport.aclose()

    [empty, alphabet] = received
    assert b"transfer-encoding: chunked\r\n" in alphabet
    assert alphabet.endswith(b"\r\n\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n")
    assert empty.endswith(b"\r\n\r\n0\r\n\r\n"), "the last chunk alone, and nothing after it"


async def test_a_connection_in_use_when_the_transport_closes_is_not_kept():
    auth = Counted(held={1})
    async with serving(auth) as url:
        transport = Http1Transport()
        call = asyncio.ensure_future(post(transport, url))
        await settled(lambda: auth.requests == [1])
        await transport.aclose()
        auth.hold.set()
        assert (await call).content == b"{}"
        await settled(lambda: auth.open == set())

    assert idle(transport) == 0


async def test_a_body_of_known_length_goes_out_as_it_is_whatever_the_other_headers_say():
    auth = Counted()
    bodies: list[bytes] = []

    async def records(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, body = await read_request(reader)
        bodies.append(body)
        writer.write(auth.answer)
        await writer.drain()

    async with serving(records) as url:
        transport = Http1Transport()
        request = httpx.Request("POST", f"{url}/login/", content=b"abc", headers={"X-Mode": "chunked"})
        try:
            await asyncio.wait_for(transport.handle_async_request(request), BOUND)
        finally:
            await transport.aclose()

    assert bodies == [b"abc"]
