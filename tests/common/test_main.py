"""Both services' `main` (the app factories) at start-up: the garbage collector is tuned only for
the app a server runs."""

from types import ModuleType

import httpx
import pytest
from fastapi.testclient import TestClient

import auth_service.main
import info_service.main


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
