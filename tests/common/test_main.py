"""Both services' `main` (the app factories) at start-up: the garbage collector is tuned only for
the app a server runs."""

from types import ModuleType

import httpx
import pytest
from fastapi.testclient import TestClient

import auth_service.main
import info_service.main
from common.ratelimit import RateLimitSettings


def refuse(request: httpx.Request) -> httpx.Response:
    return httpx.Response(599)


@pytest.mark.parametrize("factory", [auth_service.main, info_service.main], ids=["auth", "info"])
def test_the_garbage_collector_is_tuned_at_startup_only_when_asked(
    factory: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    tuned: list[str] = []
    monkeypatch.setattr(factory, "tune_garbage_collector", lambda: tuned.append("tuned"))
    extra = {"auth_transport": httpx.MockTransport(refuse)} if factory is info_service.main else {}

    app = factory.create_app(**extra)
    assert tuned == []  # building the app tunes nothing: only its start-up may
    with TestClient(app):
        assert tuned == []
    with TestClient(factory.create_app(tune_gc=True, **extra)):
        assert tuned == ["tuned"]


@pytest.mark.parametrize("factory", [auth_service.main, info_service.main], ids=["auth", "info"])
def test_each_service_counts_failures_under_its_own_name_and_budget(
    factory: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both services may share one Redis: their counters must not mix, and the budget is the one
    configured for the service (not the environment's default)."""
    monkeypatch.delenv("RATE_LIMIT_FAILURES", raising=False)
    name = "auth" if factory is auth_service.main else "info"
    settings = factory.Settings(rate_limit=RateLimitSettings(failures=3, window=7))
    extra = {"auth_transport": httpx.MockTransport(refuse)} if factory is info_service.main else {}
    with TestClient(factory.create_app(settings, **extra)) as client:
        limiter = client.app_state["failure_limiter"]  # what each request finds in its state
        assert limiter.limit.namespace == f"{name}-failures"
        assert limiter.policy == '"failures";q=3;w=7'
