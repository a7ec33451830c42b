"""Hostile bytes over raw sockets, to every registered service: a 4xx every time, never a 5xx, never a way
in without a valid token, and the service keeps serving.

What the app sees is answered with a documented problem+json; what the HTTP parser refuses
(malformed framing, control characters) is uvicorn's own 400 and never reaches the app.
"""

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.contract.openapi import METHODS, SERVICES, load_spec, operations
from tools.launch import Service, every_service

pytestmark = pytest.mark.processes

PROBLEM = b"application/problem+json"
SERVER_400 = "server's own 400"


def protected_operations() -> dict[str, tuple[str, str, str]]:
    """Per service: its first protected operation that takes no body, as (method, path, a method
    the path does not allow)."""
    found = {}
    for name in SERVICES:
        spec = load_spec(name)
        for label, operation in operations(spec):
            method, path = label.split(" ", 1)
            if operation.get("security", spec.get("security")) and "requestBody" not in operation:
                allowed = {each.upper() for each in spec["paths"][path] if each in METHODS}
                wrong = next(each for each in ("DELETE", "GET", "PUT", "POST") if each not in allowed)
                found[name] = (method, path, wrong)
                break
    return found


OPERATIONS = protected_operations()


def cases(method: str, path: str, wrong_method: str) -> list[tuple[str, bytes, int, str]]:
    def request(head: str | bytes, target: str | bytes = path, verb: str | bytes = method) -> bytes:
        head = head.encode() if isinstance(head, str) else head
        target = target.encode() if isinstance(target, str) else target
        verb = verb.encode() if isinstance(verb, str) else verb
        return verb + b" " + target + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + head + b"\r\n"

    many = "".join(f"X-Junk-{i}: {i}\r\n" for i in range(500))
    return [
        ("latin-1 token", request(b"Authorization: merixstudio\xe9\r\n"), 401, "app"),
        ("utf-8 token", request("Authorization: merixstudió\r\n".encode()), 401, "app"),
        ("control char in token", request(b"Authorization: merix\x01studio\r\n"), 400, SERVER_400),
        ("NUL in token", request(b"Authorization: merixstudio\x00\r\n"), 400, SERVER_400),
        ("tab in token", request(b"Authorization: merix\tstudio\r\n"), 401, "app"),
        ("200 KB token", request(f"Authorization: {'A' * 200_000}\r\n"), 401, "app"),
        ("several Authorization", request("Authorization: merixstudio\r\nAuthorization: x\r\n"), 400, "app"),
        (
            "valid then empty Authorization",
            request("Authorization: merixstudio\r\nAuthorization:\r\n"),
            400,
            "app",
        ),
        ("500 headers", request(many), 401, "app"),
        ("odd path", request("", target=path + "%00/../.."), 404, "app"),
        ("dot segments", request("", target="/../../etc/passwd"), 404, "app"),
        ("no trailing slash", request("Authorization: merixstudio\r\n", target=path.rstrip("/")), 404, "app"),
        ("double slash", request("Authorization: merixstudio\r\n", target="/" + path), 404, "app"),
        ("query bytes", request("", target=path.encode() + b"?a=%ff%00&b=\x7f"), 400, SERVER_400),
        (
            "query with a valid-looking token",
            request("", target=path + "?Authorization=merixstudio"),
            401,
            "app",
        ),
        ("absolute-form target", request("", target="http://evil.example" + path), 401, "app"),
        ("wrong method", request("Authorization: merixstudio\r\n", verb=wrong_method), 405, "app"),
        ("unknown method", request("", verb="BREW"), 400, SERVER_400),
        ("body", request("Authorization: merixstudio\r\nContent-Length: 5\r\n") + b"hello", 400, "app"),
        (
            "100 GB body announced",
            request("Authorization: merixstudio\r\nContent-Length: 100000000000\r\n"),
            400,
            "app",
        ),
        (
            "chunked body",
            request("Authorization: merixstudio\r\nTransfer-Encoding: chunked\r\n") + b"0\r\n\r\n",
            400,
            "app",
        ),
        ("malformed chunks", request("Transfer-Encoding: chunked\r\n") + b"zz\r\nxx\r\n", 400, SERVER_400),
        ("non-numeric Content-Length", request("Content-Length: abc\r\n"), 400, SERVER_400),
        (
            "Content-Length and chunked",
            request("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"),
            400,
            SERVER_400,
        ),
        ("TLS handshake", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64), 400, SERVER_400),
        (
            "bare LF line ends",
            request("Authorization: merixstudio\r\n").replace(b"\r\n", b"\n"),
            400,
            SERVER_400,
        ),
        ("100 KB path", request("", target="/" + "a" * 100_000), 400, SERVER_400),
    ]


def exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_every_service_has_an_operation_to_attack():
    assert set(OPERATIONS) == set(SERVICES), "a service without a protected operation that takes no body"


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, Service]]:
    with every_service() as running:
        yield running


@pytest.mark.parametrize(
    ("service", "name", "data", "status", "answered_by"),
    [
        pytest.param(service, *case, id=f"{service}: {case[0]}")
        for service, operation in OPERATIONS.items()
        for case in cases(*operation)
    ],
)
def test_hostile_request_gets_a_4xx_and_the_service_keeps_serving(
    services, service, name, data, status, answered_by
):
    target = services[service]

    reply = exchange(target.port, data)

    head, _, body = reply.partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    headers = dict(line.lower().split(b": ", 1) for line in header_lines)
    assert status_line.startswith(f"HTTP/1.1 {status} ".encode()), f"{name}: {reply[:200]!r}"
    if answered_by == "app":
        assert headers[b"content-type"] == PROBLEM, name
        assert b'"status":%d' % status in body, name
        assert b"x-request-id" in headers, name
    assert b"merixstudio" not in body, f"{name}: the token must not be echoed"
    assert httpx.get(f"{target.url}/healthz").status_code == 200, f"{name}: the service stopped serving"
