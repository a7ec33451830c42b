"""The cache of positive answers from auth: off by default, refusals never cached, bounded."""

import httpx
from fastapi.testclient import TestClient

from info_service import create_app
from info_service.config import Settings
from info_service.decisions import DecisionCache
from tests.fakes import says_no


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_decision_is_reused_until_the_ttl_and_not_after():
    clock = Clock()
    cache = DecisionCache(ttl=2.0, clock=clock)
    cache.put("Bearer a", "alice")

    clock.now = 1.99
    assert cache.get("Bearer a") == "alice"
    assert cache.get("Bearer b") is None
    clock.now = 2.0
    assert cache.get("Bearer a") is None
    assert len(cache) == 0


def test_the_oldest_entries_go_first_when_full():
    cache = DecisionCache(ttl=60, max_entries=2, clock=Clock())
    cache.put("a", "alice")
    cache.put("b", "bob")
    cache.put("a", "alice")  # refreshed: now the youngest
    cache.put("c", "carol")

    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("alice", None, "carol")


def test_tokens_are_not_kept_in_the_clear():
    cache = DecisionCache(ttl=60, clock=Clock())
    cache.put("Bearer s3cret", "alice")

    assert all(b"s3cret" not in key for key in cache._entries)


def counting_auth(calls: list[str]):
    def auth(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["authorization"])
        if request.headers["authorization"] == "good":
            return httpx.Response(200, json={"subject": "demo"})
        return says_no()

    return auth


def info(calls: list[str], **settings) -> TestClient:
    return TestClient(
        create_app(Settings(**settings), auth_transport=httpx.MockTransport(counting_auth(calls)))
    )


def test_by_default_every_request_asks_auth():
    calls: list[str] = []
    with info(calls) as client:
        for _ in range(3):
            assert client.get("/info/", headers={"Authorization": "good"}).status_code == 200

    assert calls == ["good"] * 3


def test_with_a_ttl_an_accepted_token_is_asked_once_a_refused_one_every_time(clock):
    calls: list[str] = []
    with info(calls, auth_cache_ttl=2) as client:
        for _ in range(3):
            assert client.get("/info/", headers={"Authorization": "good"}).status_code == 200
            assert client.get("/info/", headers={"Authorization": "bad"}).status_code == 401
            clock.advance(0.6)
        clock.advance(0.2)  # 2.0 s after the first answer: expired
        assert client.get("/info/", headers={"Authorization": "good"}).status_code == 200

    assert calls == ["good", "bad", "bad", "bad", "good"]
