"""common/eventloop.py: uvloop, with every waiting connection accepted at each wake-up."""

import asyncio
import errno
import logging
import socket
import ssl
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ClassVar

import pytest
import uvicorn
import uvloop

from common import eventloop
from common.eventloop import BatchAcceptServer, Loop, new_event_loop
from tools.launch import free_port, serve

BURST = 32
TLS = Path(__file__).parent.parent / "info_service" / "tls"  # a self-signed certificate for auth.test


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


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def test_binds_the_port_asked_on_every_address_of_the_host() -> None:
    """As `loop.create_server` binds: each address once, IPv6 sockets IPv6 only (else `::` would
    take the IPv4 port too and the second bind fail), the wildcard for no host."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        ipv6 = {"::1"} if socket.has_ipv6 and has_ipv6_loopback() else set()
        for host, expected in (
            ("127.0.0.1", {"127.0.0.1"}),
            (["127.0.0.1", "127.0.0.1", *ipv6], {"127.0.0.1", *ipv6}),
            (None, {"0.0.0.0", *({"::"} if ipv6 else ())}),  # noqa: S104 -- the wildcard is what no host means
        ):
            port = free_port()
            server = await loop.create_server(lambda: Recorder([], [0]), host, port)
            try:
                assert {sock.getsockname()[0] for sock in server.sockets} == expected
                assert {sock.getsockname()[1] for sock in server.sockets} == {port}
                assert len(server.sockets) == len(expected)
                for sock in server.sockets:
                    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1
                    if sock.family == socket.AF_INET6:
                        assert sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1
                assert await echo_once(port) == b"ping"
                assert server._connecting == set()  # type: ignore[attr-defined]  # no task kept per connection
            finally:
                server.close()

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
        for host, port in (("127.0.0.1", 0), (None, 0), ("127.0.0.1", None)):
            with (
                socket.socket() as other,
                pytest.raises(
                    ValueError, match=r"^host/port and sock can not be specified at the same time$"
                ),
            ):
                await loop.create_server(asyncio.Protocol, host, port, sock=other)  # type: ignore[arg-type]

    run(new_event_loop, main())


def test_closing_waits_for_connections_being_set_up() -> None:
    async def main() -> list[int]:
        loop = asyncio.get_running_loop()
        made: list[int] = []
        server = await loop.create_server(lambda: Recorder(made, [0]), "127.0.0.1", 0)
        client = socket.create_connection(("127.0.0.1", server.sockets[0].getsockname()[1]))
        async with asyncio.timeout(10):  # until accepted, not yet set up
            while not server._connecting:  # type: ignore[attr-defined]  # noqa: ASYNC110 -- a turn at a time
                await asyncio.sleep(0)
        server.close()
        await server.wait_closed()
        client.close()
        for transport in Recorder.transports:
            transport.close()
        Recorder.transports.clear()
        return made

    assert run(new_event_loop, main()) == [0]


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
        with pytest.raises(RuntimeError, match=r"^The server is closed\.$"):
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
    assert [record.getMessage() for record in caplog.records] == [
        "accepting connections paused for 0.2 s: [Errno 24] Too many open files"
    ]


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
    assert [record.getMessage() for record in caplog.records] == ["a connection could not be set up"]


def test_tls_and_unknown_options_go_to_uvloops_own_server(tmp_path: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_side.load_cert_chain(TLS / "auth.test.pem", TLS / "auth.test.key")
        port = free_port()
        tls = await loop.create_server(lambda: Recorder([], [0]), "127.0.0.1", port, ssl=server_side)
        trusting = ssl.create_default_context(cafile=TLS / "auth.test.pem")
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=trusting, server_hostname="auth.test"
        )
        writer.write(b"over tls")
        assert await reader.readexactly(8) == b"over tls"
        writer.close()
        port = free_port()
        reused = await loop.create_server(lambda: Recorder([], [0]), "127.0.0.1", port, reuse_port=True)
        assert await echo_once(port) == b"ping"
        [sock] = reused.sockets
        assert sock.getsockname() == ("127.0.0.1", port)
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        unix = await loop.create_unix_server(asyncio.Protocol, str(tmp_path / "socket"))
        for server in (tls, reused, unix):
            assert not isinstance(server, BatchAcceptServer)
            server.close()

    run(new_event_loop, main())
    assert isinstance(new_event_loop(), Loop)


def test_worker_processes_share_connections_one_a_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's workers share one socket: a worker taking whole bursts would starve the others."""
    monkeypatch.setattr("multiprocessing.parent_process", lambda: object())

    async def main() -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = await loop.create_server(lambda: Recorder([], [0]), sock=sock, start_serving=False)
        assert not isinstance(server, BatchAcceptServer)
        assert not server.is_serving()
        await server.start_serving()
        assert await echo_once(sock.getsockname()[1]) == b"ping"
        server.close()

    run(new_event_loop, main())
    assert run(new_event_loop, turns_to_accept(BURST)) >= BURST - 1


def test_every_service_process_runs_on_it() -> None:
    """`tools.launch.serve` (make run, the tests, the bench) asks uvicorn for this loop."""
    loop = serve.build_parser().parse_args(["app:app", "--fd", "3"]).loop
    assert uvicorn.Config("app:app", loop=loop).get_loop_factory() is new_event_loop


def test_a_machine_without_ipv6_serves_its_ipv4_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    """As uvloop's and asyncio's `create_server`: a family the machine cannot open is skipped."""

    class NoIPv6(socket.socket):
        def __init__(self, family: int = -1, *args: Any, **kwargs: Any) -> None:
            if family == socket.AF_INET6:
                raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
            super().__init__(family, *args, **kwargs)

    monkeypatch.setattr(socket, "socket", NoIPv6)
    sockets = eventloop.listening_sockets(None, 0)
    try:
        assert [sock.family for sock in sockets] == [socket.AF_INET]
    finally:
        for sock in sockets:
            sock.close()
