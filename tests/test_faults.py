"""Let it fail: real processes, a real network, and an auth service that goes down, freezes,
comes back, or answers garbage. The info service answers 503 promptly and recovers by itself."""

import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tools.launch import Service, both_services, free_port, listening_socket, running

pytestmark = pytest.mark.processes

VALID = {"Authorization": "merixstudio"}
READ_TIMEOUT = 1.0  # info's default AUTH_READ_TIMEOUT
# A reset long enough that the call after the third failure is never already the probe, however
# busy the machine; short enough that recovery stays quick.
BREAKER = {"AUTH_BREAKER_FAILURES": "3", "AUTH_BREAKER_RESET": "3.0"}
UNREACHABLE = "The auth service is unreachable."
TIMEOUT = "The auth service did not answer in time."
OFF_CONTRACT = "The auth service gave an answer outside its contract."
PAUSED = "The auth service is failing; calls to it are paused."


@pytest.fixture
def services() -> Iterator[tuple[Service, Service]]:
    with both_services(info_env=BREAKER) as running:
        yield running


def timed_get(info: Service, path: str = "/info/") -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    response = httpx.get(f"{info.url}{path}", headers=VALID, timeout=10)
    return response, time.perf_counter() - start


def assert_unavailable(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["detail"] == detail


def wait_for_200(info: Service, within: float = 10.0) -> float:
    """Seconds until /info/ answers 200 again, polling every 100 ms."""
    start = time.perf_counter()
    while time.perf_counter() - start < within:
        if timed_get(info)[0].status_code == 200:
            return time.perf_counter() - start
        time.sleep(0.1)
    raise AssertionError(f"info did not recover within {within} s")


def trip_breaker(info: Service, detail: str) -> list[float]:
    """Three failures open the breaker; the fourth call is answered without asking auth."""
    took = []
    for _ in range(3):
        response, elapsed = timed_get(info)
        assert_unavailable(response, detail)
        took.append(elapsed)
    response, elapsed = timed_get(info)
    assert_unavailable(response, PAUSED)
    return [*took, elapsed]


def test_auth_down_is_a_prompt_503_then_the_breaker_opens_and_recovery_needs_no_restart(services):
    auth, info = services
    assert timed_get(info)[0].status_code == 200

    auth.go_down()
    took = trip_breaker(info, UNREACHABLE)
    assert max(took) < READ_TIMEOUT, f"a refused connection must fail fast, took {took}"
    assert timed_get(info, "/readyz")[0].status_code == 503
    assert timed_get(info, "/healthz")[0].status_code == 200

    auth.come_back()
    wait_for_200(info)
    assert timed_get(info, "/readyz")[0].status_code == 200
    assert "merixstudio" not in auth.logs() + info.logs()


def test_frozen_auth_is_a_503_after_the_read_timeout_then_at_once(services):
    auth, info = services
    assert timed_get(info)[0].status_code == 200

    auth.signal(signal.SIGSTOP)
    try:
        *timeouts, paused = trip_breaker(info, TIMEOUT)
        # Gave up at the read timeout, not before and not never. That a timeout is not retried is
        # counted in-process (test_auth_failures.py), where no busy core can blur it.
        for elapsed in timeouts:
            assert READ_TIMEOUT * 0.9 <= elapsed < READ_TIMEOUT + 4.0, f"took {elapsed:.2f} s"
        # The PAUSED detail proves auth was not called; this, that no timeout was waited for.
        assert paused < READ_TIMEOUT, f"an open breaker must answer at once, took {paused:.2f} s"
    finally:
        auth.signal(signal.SIGCONT)

    wait_for_200(info)


class RawServer:
    """A stand-in for auth on `port`: reads each request's head, waits `delay`, sends `reply`."""

    def __init__(self, port: int, reply: bytes, delay: float = 0.0) -> None:
        self.sock = listening_socket(port)
        self.sock.settimeout(0.05)
        self.reply = reply
        self.delay = delay
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> "RawServer":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        self.thread.join()
        self.sock.close()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            time.sleep(self.delay)
            conn.sendall(self.reply)


@pytest.fixture(scope="module")
def info_with_a_stand_in() -> Iterator[tuple[int, Service]]:
    """Info pointed at a free port where each test puts its own RawServer; no breaker trips."""
    port = free_port()
    info_env = {"AUTH_URL": f"http://127.0.0.1:{port}", "AUTH_BREAKER_FAILURES": "1000"}
    with running("info_service:app", info_env) as info:
        yield port, info


@pytest.mark.parametrize(
    "reply",
    [
        b"not http at all\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{garbage}",
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{"',
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops",
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"",
    ],
    ids=["not-http", "bad-json", "truncated", "500", "204", "hang-up"],
)
def test_garbage_from_auth_is_a_503(info_with_a_stand_in, reply):
    port, info = info_with_a_stand_in

    with RawServer(port, reply):
        response, _ = timed_get(info)

    assert_unavailable(response, OFF_CONTRACT)


def test_sigterm_lets_in_flight_requests_finish():
    port = free_port()
    slow_yes = (
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"subject":"slo"}'
    )

    with (
        running("info_service:app", {"AUTH_URL": f"http://127.0.0.1:{port}"}) as info,
        RawServer(port, slow_yes, delay=0.6),
        ThreadPoolExecutor(1) as pool,
    ):
        in_flight = pool.submit(timed_get, info)
        time.sleep(0.3)
        info.signal(signal.SIGTERM)
        response, _ = in_flight.result()
        assert info.process is not None
        exit_code = info.process.wait(10)
        logs = info.logs()

    assert response.status_code == 200
    assert response.content == b'{"info":"The answer is 42."}'
    assert exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down
    assert "Application shutdown complete" in logs
