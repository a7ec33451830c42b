"""A real Redis server (Debian `redis-server`) on a free port, started and stopped by the test.

Without `redis-server` the tests that need it skip locally and fail in CI (`CI` set to 1, true or
yes, any case); `.ci/run` installs it.
"""

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.ci import require_tool
from tools.launch import free_port


def redis_server_or_skip() -> str:
    """Skips locally and fails in CI without redis-server (tests/ci.py: .ci/run installs it)."""
    return require_tool("redis-server", "apt-get install redis-server")


class RedisServer:
    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> "RedisServer":
        # No persistence, no config file: a scratch server that leaves nothing behind.
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                if self.ping():
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start in {timeout} s")

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(redis_server_or_skip()).start()
    try:
        yield server
    finally:
        server.stop()
