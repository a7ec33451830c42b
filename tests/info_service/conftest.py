"""A clock the tests move by hand, for the breaker and the decision cache: no sleeping, no flakes."""

from types import SimpleNamespace

import pytest


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Replaces the monotonic clock of the circuit breaker and of info's decision cache."""
    clock = Clock()
    monkeypatch.setattr("circuitbreaker.monotonic", clock)
    monkeypatch.setattr("info_service.decisions.time", SimpleNamespace(monotonic=clock))
    return clock
