"""`python -m bench.header_limits`: what uvicorn does with oversized request headers, and the
server CPU it spends on them (docs/security.md, "Oversized headers").

One `Authorization` header of 4 KB to 2 MB, 20 requests each, against `uvicorn auth_service:app`
with httptools and with h11; prints the status line and the server's CPU per request (/proc).
"""

import os
import socket
import subprocess
import sys
import time

SIZES = (4_000, 20_000, 200_000, 2_000_000)


def serve(http: str) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "auth_service:app", "--port", str(port), "--http", http]
    env = {**os.environ, "ACCESS_LOG": "false", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([*command, "--log-level", "warning"], env=env, stderr=subprocess.DEVNULL)  # noqa: S603
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, port


def ask(port: int, size: int) -> str:
    head = b"POST /login/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: "
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        data = b""
        try:
            sock.sendall(head + b"A" * size + b"\r\n\r\n")
            while chunk := sock.recv(65536):
                data += chunk
        except OSError as exc:
            return f"{type(exc).__name__} after {data[:30]!r}"
    return data.split(b"\r\n", 1)[0].decode()


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    for http in ("httptools", "h11"):
        process, port = serve(http)
        for size in SIZES:
            before = cpu_seconds(process.pid)
            answers = [ask(port, size) for _ in range(20)]
            per_request = (cpu_seconds(process.pid) - before) / 20 * 1000
            print(f"{http:9} {size:>9} B header: {answers[-1]:45} server CPU {per_request:.2f} ms/request")
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
