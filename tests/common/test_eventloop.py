"""common/eventloop.py: uvloop, with every waiting connection accepted at each wake-up."""

import asyncio
import errno
import logging
import socket
import ssl
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

import pytest
import uvicorn
import uvloop

from common import eventloop
from common.eventloop import BatchAcceptServer, Loop, new_event_loop
from tools.launch import serve

BURST = 32


def run(factory: Callable[[], asyncio.AbstractEventLoop], main: Coroutine[Any, Any, Any]) -> Any:
    loop = factory()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()


class Recorder(asyncio.Protocol):
    """Notes the loop turn each connection was made in, and echoes what it is sent."""

    def __init__(self, made: list[int], turn: list[int]) -> None:
        self.made, self.turn = made, turn

    transports: ClassVar[list[asyncio.BaseTransport]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.transports.append(transport)
        self.made.append(self.turn[0])

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)  # type: ignore[attr-defined]


async def turns_to_accept(burst: int) -> int:
    """Turns of the loop between the first and the last of `burst` connections made at once."""
    loop = asyncio.get_running_loop()
    made: list[int] = []
    turn = [0]
    all_made = asyncio.Event()

    class Counting(Recorder):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            if len(made) == burst:
                all_made.set()

    server = await loop.create_server(lambda: Counting(made, turn), "127.0.0.1", 0, backlog=128)
    port = server.sockets[0].getsockname()[1]
    # Blocking connects from the loop's own thread: the kernel completes every handshake while
    # the loop is stopped, so all `burst` wait in the backlog when it turns again.
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(burst)]

    def count() -> None:
        turn[0] += 1
        if len(made) < burst:
            loop.call_soon(count)

    loop.call_soon(count)
    try:
        async with asyncio.timeout(10):
            await all_made.wait()
    finally:
        for client in clients:
            client.close()
        for transport in Recorder.transports:
            transport.close()
        Recorder.transports.clear()
        server.close()
        await asyncio.sleep(0)  # the transports' closing callbacks
    return made[-1] - made[0]


def test_a_burst_of_connections_is_accepted_in_one_wake_up() -> None:
    assert run(new_event_loop, turns_to_accept(BURST)) <= 2


def test_uvloop_alone_accepts_one_connection_a_turn() -> None:
    """The reason for the module. If this fails, uvloop accepts in batches again: drop the module."""
    assert run(uvloop.new_event_loop, turns_to_accept(BURST)) >= BURST - 1


def test_asyncio_accepts_in_batches_too() -> None:
    assert run(asyncio.new_event_loop, turns_to_accept(BURST)) <= 2


async def echo_once(port: int, data: bytes = b"ping") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        return await reader.readexactly(len(data))
    finally:
        writer.close()


def test_serves_host_and_port_then_closes() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        made: list[int] = []
        server = await loop.create_server(lambda: Recorder(made, [0]), "127.0.0.1", 0)
        assert isinstance(server, BatchAcceptServer)
        assert server.is_serving() and server.get_loop() is loop
        [sock] = server.sockets
        port = sock.getsockname()[1]
        assert await echo_once(port) == b"ping"
        server.close()
        await server.wait_closed()
        assert not server.is_serving() and server.sockets == () and sock.fileno() == -1
        with pytest.raises(ConnectionRefusedError):
            await echo_once(port)
        server.close()  # twice is harmless

    run(new_event_loop, main())


def test_serves_a_socket_it_is_given_as_uvicorn_passes_it() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = await loop.create_server(lambda: Recorder([], [0]), sock=sock, backlog=16)
        assert server.sockets == (sock,)
        assert await echo_once(sock.getsockname()[1], b"x" * 100_000) == b"x" * 100_000
        server.close()
        with socket.socket() as other, pytest.raises(ValueError, match="at the same time"):
            await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, sock=other)  # type: ignore[call-overload]

    run(new_event_loop, main())


def test_accepted_connections_send_without_delay() -> None:
    """TCP_NODELAY, as uvloop's own server sets it (else a head and a body wait for an ACK)."""

    async def main() -> int:
        loop = asyncio.get_running_loop()
        made: asyncio.Future[asyncio.BaseTransport] = loop.create_future()

        class Keep(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                made.set_result(transport)

        server = await loop.create_server(Keep, "127.0.0.1", 0)
        _, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
        transport = await asyncio.wait_for(made, 10)
        value: int = transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        server.close()
        return value

    assert run(new_event_loop, main()) == 1


def test_start_serving_later_and_serve_forever() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Recorder([], [0]), "127.0.0.1", 0, start_serving=False)
        assert not server.is_serving()
        port = server.sockets[0].getsockname()[1]
        forever = asyncio.ensure_future(server.serve_forever())
        await asyncio.sleep(0)
        assert server.is_serving()
        assert await echo_once(port) == b"ping"
        server.close()
        with pytest.raises(asyncio.CancelledError):
            await forever
        with pytest.raises(RuntimeError, match="closed"):
            await server.start_serving()

    run(new_event_loop, main())


class Exhausted(socket.socket):
    """A listening socket whose first accept finds no file descriptor left."""

    failures = 1

    def accept(self) -> tuple[socket.socket, Any]:
        if self.failures:
            self.failures -= 1
            raise OSError(errno.EMFILE, "Too many open files")
        return super().accept()


def test_out_of_file_descriptors_pauses_accepting_then_resumes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(eventloop, "ACCEPT_RETRY_SECONDS", 0.2)

    async def main() -> float:
        loop = asyncio.get_running_loop()
        sock = Exhausted()
        sock.bind(("127.0.0.1", 0))
        server = await loop.create_server(lambda: Recorder([], [0]), sock=sock)
        started = loop.time()
        answer = await echo_once(sock.getsockname()[1])
        server.close()
        assert answer == b"ping"
        return loop.time() - started

    with caplog.at_level(logging.ERROR, "eventloop"):
        waited = run(new_event_loop, main())
    assert waited >= 0.15  # the pause (the loop may fire a timer a clock tick early)
    assert "accepting connections paused for 0.2 s: [Errno 24] Too many open files" in caplog.text


def test_a_protocol_that_fails_costs_its_connection_only(caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    def factory() -> asyncio.Protocol:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("broken")
        return Recorder([], [0])

    async def main() -> bytes:
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with pytest.raises((ConnectionError, asyncio.IncompleteReadError)):
            await echo_once(port)
        answer = await echo_once(port)
        server.close()
        await server.wait_closed()
        return answer

    with caplog.at_level(logging.ERROR, "eventloop"):
        assert run(new_event_loop, main()) == b"ping"
    assert "a connection could not be set up" in caplog.text


def test_tls_and_unknown_options_go_to_uvloops_own_server(tmp_path: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        for server in (
            await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, ssl=context),
            await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, reuse_port=True),
            await loop.create_unix_server(asyncio.Protocol, str(tmp_path / "socket")),
        ):
            assert not isinstance(server, BatchAcceptServer)
            server.close()

    run(new_event_loop, main())
    assert isinstance(new_event_loop(), Loop)


def test_worker_processes_share_connections_one_a_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's workers share one socket: a worker taking whole bursts would starve the others."""
    monkeypatch.setattr("multiprocessing.parent_process", lambda: object())

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", 0)
        assert not isinstance(server, BatchAcceptServer)
        server.close()

    run(new_event_loop, main())
    assert run(new_event_loop, turns_to_accept(BURST)) >= BURST - 1


def test_every_service_process_runs_on_it() -> None:
    """`tools.launch.serve` (make run, the tests, the bench) asks uvicorn for this loop."""
    loop = serve.build_parser().parse_args(["app:app", "--fd", "3"]).loop
    assert uvicorn.Config("app:app", loop=loop).get_loop_factory() is new_event_loop
