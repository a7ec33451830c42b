"""The event loop the services are served on: uvloop, accepting every waiting connection at once.

`uvicorn APP --loop common.eventloop:new_event_loop` (`UVICORN_LOOP` in the image, the default of
`tools.launch.serve`). Why not uvloop as it is: since libuv 1.45 (uvloop 0.23 bundles 1.48), a
listening socket accepts **one connection per turn of the event loop**. A busy server's turn is a batch of
requests, milliseconds long, so a burst of new connections (a caller's pool growing under load, a
client restarting) waits for dozens of turns: 64 connections opened at once to a loaded service
were accepted over 60 to 600 ms, and those requests were the p99 (docs/performance.md, "The tail
at 64 connections"). asyncio's own loop accepts up to `backlog` at each wake-up, but costs ~10% more
CPU a request here. So: uvloop for the connections, and the accepting done as asyncio does it
(`BaseSelectorEventLoop._accept_connection`), each accepted socket handed to uvloop's transport.

Only where one process serves the socket: uvicorn's worker processes (`--workers`,
`WEB_CONCURRENCY`) share it, and the one that wakes first would take most of a burst (13 of 16
connections, median of 15 bursts, against 10 with uvloop's one a turn), leaving a core idle for
as long as those connections live; that is libuv's own reason for the change. So workers, TLS
listeners and any `create_server` option this does not know get uvloop's own server. (Workers
forked by gunicorn are not seen as workers: under gunicorn, keep its own `uvloop` setting.)
"""

import asyncio
import errno
import logging
import multiprocessing
import socket
from collections.abc import Callable, Iterable
from typing import Any, cast

import uvloop

log = logging.getLogger("eventloop")

# What asyncio does when a process runs out of file descriptors: stop accepting for a second
# (the kernel keeps the connections waiting in the backlog meanwhile) rather than spin.
ACCEPT_RETRY_SECONDS = 1.0
_OUT_OF_RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)

ProtocolFactory = Callable[[], asyncio.BaseProtocol]


class BatchAcceptServer(asyncio.AbstractServer):
    """Listening sockets served by `loop`: at each wake-up, every connection waiting is accepted
    (at most `backlog`), as asyncio's selector loop does."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        protocol_factory: ProtocolFactory,
        sockets: Iterable[socket.socket],
        backlog: int,
    ) -> None:
        self._loop = loop
        self._protocol_factory = protocol_factory
        self._sockets = list(sockets)
        self._backlog = backlog
        self._serving = False
        self._closed = False
        self._connecting: set[asyncio.Task[Any]] = set()
        self._serving_forever: asyncio.Future[None] | None = None

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return tuple(self._sockets) if not self._closed else ()

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def is_serving(self) -> bool:
        return self._serving

    async def start_serving(self) -> None:
        if self._closed:
            raise RuntimeError("The server is closed.")
        if self._serving:
            return
        self._serving = True
        for sock in self._sockets:
            sock.setblocking(False)
            sock.listen(self._backlog)
            self._loop.add_reader(sock.fileno(), self._accept, sock)

    async def serve_forever(self) -> None:
        await self.start_serving()
        self._serving_forever = self._loop.create_future()
        try:
            await self._serving_forever
        finally:
            self.close()

    def close(self) -> None:
        """Stops accepting and closes the listening sockets; open connections are the server's
        (uvicorn shuts them down itself)."""
        if self._closed:
            return
        self._closed, self._serving = True, False
        for sock in self._sockets:
            self._loop.remove_reader(sock.fileno())
            sock.close()
        if self._serving_forever is not None and not self._serving_forever.done():
            self._serving_forever.cancel()

    async def wait_closed(self) -> None:
        """Returns once every connection accepted has its transport (none is left half-made)."""
        if self._connecting:
            await asyncio.wait(self._connecting)

    def _accept(self, sock: socket.socket) -> None:
        for _ in range(self._backlog):
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return  # none left waiting
            except OSError as exc:
                if exc.errno not in _OUT_OF_RESOURCES:
                    raise  # the loop logs it and calls this again at the next wake-up
                log.error("accepting connections paused for %g s: %s", ACCEPT_RETRY_SECONDS, exc)
                self._loop.remove_reader(sock.fileno())
                self._loop.call_later(ACCEPT_RETRY_SECONDS, self._resume, sock)
                return
            # Non-blocking from here: uvloop's transport (libuv's uv__stream_open) sets it.
            task = self._loop.create_task(self._connect(conn))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    def _resume(self, sock: socket.socket) -> None:
        if self._serving:  # not closed meanwhile
            self._loop.add_reader(sock.fileno(), self._accept, sock)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._protocol_factory, conn)
        except Exception:  # a protocol that fails to start: that connection only
            log.exception("a connection could not be set up")
            conn.close()


def listening_sockets(host: str | list[str] | None, port: int | None) -> list[socket.socket]:
    """Bound (not yet listening) sockets for every address of `host`, as `loop.create_server`
    binds them: `SO_REUSEADDR`, IPv6 sockets IPv6 only, a family the machine lacks skipped."""
    hosts = host if isinstance(host, list) else [host]
    sockets: list[socket.socket] = []
    seen: set[tuple[Any, ...]] = set()
    try:
        for name in hosts:
            for family, kind, proto, _, address in socket.getaddrinfo(
                name or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
            ):
                if (family, address) in seen:
                    continue
                seen.add((family, address))
                try:
                    sock = socket.socket(family, kind, proto)
                except OSError:
                    continue  # e.g. no IPv6 on this machine: the other addresses still serve
                sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind(address)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Loop(uvloop.Loop):
    """uvloop, with TCP servers that accept every waiting connection at each wake-up."""

    async def create_server(  # type: ignore[override]
        self,
        protocol_factory: ProtocolFactory,
        host: str | list[str] | None = None,
        port: int | None = None,
        *,
        sock: socket.socket | None = None,
        backlog: int = 100,
        ssl: Any = None,
        start_serving: bool = True,
        **options: Any,
    ) -> asyncio.AbstractServer:
        is_tcp = sock is None or sock.family in (socket.AF_INET, socket.AF_INET6)
        is_worker = multiprocessing.parent_process() is not None  # of uvicorn's supervisor
        if ssl is not None or options or not is_tcp or is_worker:
            uvloop_server: asyncio.AbstractServer = await cast(Any, super()).create_server(
                protocol_factory, host, port, sock=sock, backlog=backlog, ssl=ssl,
                start_serving=start_serving, **options,
            )  # fmt: skip
            return uvloop_server
        if sock is not None and (host is not None or port is not None):
            raise ValueError("host/port and sock can not be specified at the same time")
        sockets = [sock] if sock is not None else listening_sockets(host, port)
        server = BatchAcceptServer(self, protocol_factory, sockets, backlog)
        if start_serving:
            await server.start_serving()
        return server


def new_event_loop() -> Loop:
    """The loop uvicorn runs a service on (`--loop common.eventloop:new_event_loop`)."""
    return Loop()
