"""`make run`: both services in the foreground, the demo answers, and SIGTERM stops both."""

import os
import signal
import subprocess
import time

import httpx
import pytest

from tools.launch import free_port
from tools.registry import ROOT

pytestmark = pytest.mark.processes


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "make run exited early"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def stop_like_a_terminal(make: subprocess.Popen[bytes]) -> None:
    """Ctrl-C: the terminal sends SIGINT to the whole foreground process group."""
    os.killpg(make.pid, signal.SIGINT)


def stop_like_a_supervisor(make: subprocess.Popen[bytes]) -> None:
    """SIGTERM to make's process alone, as a process manager or `kill` does."""
    make.terminate()


@pytest.mark.parametrize("stop", [stop_like_a_terminal, stop_like_a_supervisor])
def test_make_run_serves_the_demo_and_a_signal_stops_both(stop):
    auth_port, info_port = free_port(), free_port()
    # Two info workers: the signal must reach uvicorn's worker processes too.
    env = {**os.environ, "AUTH_PORT": str(auth_port), "INFO_PORT": str(info_port), "INFO_WORKERS": "2"}
    env.pop("AUTH_URL", None)
    make = subprocess.Popen(
        ["make", "-s", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{auth_port}/healthz", make)
        wait_until_up(f"http://127.0.0.1:{info_port}/healthz", make)

        info = f"http://127.0.0.1:{info_port}/info/"
        assert httpx.get(info).status_code == 401
        demo = httpx.get(info, headers={"Authorization": "merixstudio"})
        assert (demo.status_code, demo.content) == (200, b'{"info":"The answer is 42."}')

        stop(make)
        assert make.wait(15) in (0, -signal.SIGINT, -signal.SIGTERM)  # make re-raises the signal
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    for port in (auth_port, info_port):
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/healthz")
