"""Real uvicorn processes on free ports: the launcher that tests, `make run`, `make fuzz` and the
bench share.

The caller binds the listening socket itself (port 0, or a fixed port for `make run`) and hands
it to `python -m tools.launch.serve --fd N`: no port is ever guessed or read back from a log, and a
stopped service can be restarted on the same address.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from tools.registry import ROOT, services


def listening_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def free_port() -> int:
    """A port nothing listens on now (for a stand-in that will bind it later)."""
    with listening_socket() as sock:
        port: int = sock.getsockname()[1]
        return port


class Service:
    """One uvicorn process serving `app` (e.g. "auth_service:app") on its own socket.

    `args` are more options for `tools.launch.serve`; the service is up when `ready_path` answers 200.
    """

    def __init__(
        self,
        app: str,
        env: Mapping[str, str] | None = None,
        sock: socket.socket | None = None,
        args: Sequence[str] = (),
        ready_path: str = "/healthz",
        inherit_output: bool = False,
    ):
        self.app = app
        self.args = list(args)
        self.ready_path = ready_path
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.sock = sock or listening_socket()
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # The output goes to the caller's terminal (`make run`) or to a file that `logs()` reads.
        self.log = None if inherit_output else tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> "Service":
        """Start the process and wait until it is ready (a generous timeout: a loaded machine
        takes seconds to import a service)."""
        return self.spawn().wait_ready(timeout)

    def spawn(self) -> "Service":
        """Start the process; it accepts connections on `url` once ready."""
        fd = self.sock.fileno()
        self.process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "tools.launch.serve", self.app, "--fd", str(fd), *self.args],
            cwd=ROOT,
            env=self.env,
            pass_fds=[fd],
            stdout=self.log,
            stderr=self.log,
        )
        return self

    def wait_ready(self, timeout: float = 60.0) -> "Service":
        assert self.process is not None, "spawn() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if httpx.get(f"{self.url}{self.ready_path}", timeout=0.5).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.app} did not start in {timeout} s:\n{self.logs()}")

    def signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then the exit code (SIGKILL if it does not exit in time)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def go_down(self) -> None:
        """Stop the process and close the socket: connections to the port are refused."""
        self.stop()
        self.sock.close()

    def come_back(self) -> "Service":
        """Listen on the same port again and start a new process."""
        self.sock = listening_socket(self.port)
        return self.start()

    def logs(self) -> str:
        if self.log is None:
            return "(see the output above)"
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def close(self) -> None:
        self.stop()
        self.sock.close()
        if self.log is not None:
            self.log.close()


@contextmanager
def running(app: str, env: Mapping[str, str] | None = None, **options: Any) -> Iterator[Service]:
    """`options` are Service's: `args`, `ready_path`."""
    service = Service(app, env, **options)
    try:
        yield service.start()
    finally:
        service.close()


def registered(
    env: Mapping[str, Mapping[str, str]] | None = None,
    ports: Mapping[str, int] | None = None,
    args: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Service]:
    """Every registered service as a (not yet started) `Service`, by name, callers before callees
    last: each is told where the services it uses are (`AUTH_URL=...`).

    `env`, `ports` and `args` are per service name; a service without a port gets a free one.
    """
    made: dict[str, Service] = {}
    for each in services():
        urls = {used.upper() + "_URL": made[used].url for used in each.uses if used in made}
        sock = listening_socket(ports[each.name]) if ports and each.name in ports else None
        made[each.name] = Service(
            each.app, {**urls, **((env or {}).get(each.name, {}))}, sock, (args or {}).get(each.name, ())
        )
    return made


def start_all(made: Mapping[str, Service]) -> None:
    """Start them all at once (each knows its callees' addresses already), then wait until each is
    ready; stop all if one fails."""
    try:
        for each in made.values():
            each.spawn()
        for each in made.values():
            each.wait_ready()
    except BaseException:
        close_all(made)
        raise


def close_all(made: Mapping[str, Service]) -> None:
    for each in reversed(list(made.values())):
        each.close()


@contextmanager
def every_service(env: Mapping[str, Mapping[str, str]] | None = None) -> Iterator[dict[str, Service]]:
    """Every registered service running on a free port, by name."""
    made = registered(env)
    start_all(made)
    try:
        yield made
    finally:
        close_all(made)


@contextmanager
def both_services(
    auth_env: Mapping[str, str] | None = None, info_env: Mapping[str, str] | None = None
) -> Iterator[tuple[Service, Service]]:
    with (
        running("auth_service:app", auth_env) as auth,
        running("info_service:app", {"AUTH_URL": auth.url, **(info_env or {})}) as info,
    ):
        yield auth, info
