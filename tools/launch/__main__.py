"""`python -m tools.launch` (`make run`): every registered service in the foreground.

Each service listens on `$<NAME>_PORT` (its registry port by default) with `$<NAME>_WORKERS`
uvicorn workers (1), and finds the services it uses at `$<NAME>_URL` (the one started here by
default). Ctrl-C or SIGTERM stops them all; so does any one of them exiting, with its status.
A service with several workers keeps its metrics in a fresh directory of its own
(prometheus-client's multiprocess mode, `PROMETHEUS_MULTIPROC_DIR`), removed on exit.
"""

import os
import signal
import sys
import tempfile
import time
from types import FrameType

from tools.launch import Service, listening_socket
from tools.registry import service as service_named
from tools.registry import services


def main() -> int:
    started: list[Service] = []
    urls: dict[str, str] = {}
    metrics = tempfile.TemporaryDirectory(prefix="metrics-")

    def stop(signum: int, _: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for each in services():
            port = int(os.environ.get(each.port_variable, each.port))
            workers = os.environ.get(f"{each.name.upper()}_WORKERS", "1")
            env = dict(os.environ)
            if int(workers) > 1 and "PROMETHEUS_MULTIPROC_DIR" not in env:
                env["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(metrics.name, each.name)
                os.mkdir(env["PROMETHEUS_MULTIPROC_DIR"])
            for used in map(service_named, each.uses):
                env[used.url_variable] = os.environ.get(used.url_variable) or urls[used.name]
            service = Service(
                each.app,
                env,
                listening_socket(port),
                args=["--workers", workers, "--log-level", os.environ.get("LOG_LEVEL", "info").lower()],
                inherit_output=True,
            )
            started.append(service.spawn())
            urls[each.name] = service.url
        for service, each in zip(started, services(), strict=True):
            service.wait_ready()
            print(f"{each.name} at {service.url}", file=sys.stderr, flush=True)
        while all(service.process is not None and service.process.poll() is None for service in started):
            time.sleep(0.2)
        return next(s.process.returncode for s in started if s.process and s.process.poll() is not None)
    finally:
        for service in reversed(started):
            service.close()
        metrics.cleanup()


if __name__ == "__main__":
    sys.exit(main())
