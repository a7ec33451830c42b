"""X-Request-ID, as documented: kept when 1 to 128 of `A-Z a-z 0-9 . _ -`, replaced otherwise,
echoed on every response, forwarded to auth (the generated one too, and by /readyz)."""

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.apps import demo_auth_app, info_with_auth

GENERATED = re.compile(r"[0-9a-f]{32}")
KEPT = {
    "128-chars": "r" * 128,
    "one-char": "x",
    "every-allowed-kind": "AZaz09._-",
}
REPLACED = {
    "129-chars": "r" * 129,
    "128-then-a-bad-char": "r" * 127 + "/",
    "space": "a b",
    "slash": "a/b",
    "colon": "a:b",
    "plus": "a+b",
    "latin-1": "caf\u00e9",
    "empty": "",
}


def recording_auth(seen: list[httpx.Request]):
    def auth(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/readyz":
            return httpx.Response(200, json={"status": "ok"})
        return httpx.Response(200, json={"subject": "demo"})

    return auth


@pytest.fixture(params=["auth", "info"])
def client(request):
    app = demo_auth_app() if request.param == "auth" else None
    if app is not None:
        with TestClient(app) as client:
            yield client, "POST", "/login/"
    else:
        with info_with_auth(recording_auth([])) as client:
            yield client, "GET", "/info/"


@pytest.mark.parametrize("value", KEPT.values(), ids=KEPT.keys())
def test_a_sane_id_is_kept(client, value):
    http, method, path = client

    response = http.request(method, path, headers={"Authorization": "merixstudio", "X-Request-ID": value})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == value


@pytest.mark.parametrize("value", REPLACED.values(), ids=REPLACED.keys())
def test_anything_else_is_replaced_by_a_fresh_id(client, value):
    http, method, path = client
    headers = {"Authorization": "merixstudio", "X-Request-ID": value.encode("latin-1")}

    response = http.request(method, path, headers=headers)

    assert response.status_code == 200
    assert GENERATED.fullmatch(response.headers["x-request-id"])


def test_without_an_id_each_request_gets_its_own(client):
    http, method, path = client

    ids = {http.request(method, path).headers["x-request-id"] for _ in range(3)}

    assert len(ids) == 3
    assert all(GENERATED.fullmatch(id_) for id_ in ids)


@pytest.mark.parametrize("path", ["/info/", "/readyz"])
@pytest.mark.parametrize("sent", [None, "caller-id", "bad id"], ids=["none", "sane", "replaced"])
def test_the_id_info_answers_with_is_the_one_it_sent_to_auth(path, sent):
    seen: list[httpx.Request] = []
    headers = {"Authorization": "merixstudio"} | ({"X-Request-ID": sent} if sent else {})

    with info_with_auth(recording_auth(seen)) as info:
        response = info.get(path, headers=headers)

    assert response.status_code == 200
    [call] = seen
    assert call.url.path == {"/info/": "/login/", "/readyz": "/readyz"}[path]
    assert call.headers["x-request-id"] == response.headers["x-request-id"]
    if sent == "caller-id":
        assert response.headers["x-request-id"] == "caller-id"
    else:
        assert GENERATED.fullmatch(response.headers["x-request-id"])


def test_every_answer_echoes_the_id(client):
    http, method, path = client
    sent = {"X-Request-ID": "echo-me"}
    twice = [("Authorization", "a"), ("Authorization", "b"), ("X-Request-ID", "echo-me")]

    answers = [
        http.request(method, path, headers=sent),  # 401
        http.request(method, path, headers=twice),  # 400
        http.request(method, "/nowhere", headers=sent),  # 404
        http.request("DELETE", path, headers=sent),  # 405
    ]

    assert [answer.status_code for answer in answers] == [401, 400, 404, 405]
    assert [answer.headers["x-request-id"] for answer in answers] == ["echo-me"] * 4
