"""GET /info/ against the real auth app, in-process: every status but 503 (see test_auth_failures)."""

import pytest

from tests.fakes import UNAUTHORIZED

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("header", ["merixstudio", "Bearer merixstudio"])
def test_a_valid_token_gets_the_answer(info_client, header):
    response = info_client.get("/info/", headers={"Authorization": header})

    assert response.status_code == 200
    assert response.content == b'{"info":"The answer is 42."}'
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "wrong"},
        {"Authorization": "t\u00f6ken".encode("latin-1")},
        {"Authorization": b"a\tb"},
    ],
    ids=["missing", "wrong", "latin-1", "control"],
)
def test_no_valid_token_is_401(info_client, headers):
    response = info_client.get("/info/", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == UNAUTHORIZED


def test_several_authorization_headers_are_refused(info_client):
    response = info_client.get("/info/", headers=[("Authorization", "merixstudio"), ("Authorization", "x")])

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


def test_a_request_body_is_refused(info_client):
    response = info_client.request("GET", "/info/", headers={"Authorization": "merixstudio"}, content=b"{}")

    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_ok_while_auth_is_up(info_client, path):
    response = info_client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_request_id_is_echoed_when_sane_and_replaced_otherwise(info_client):
    kept = info_client.get("/info/", headers={"X-Request-ID": "abc-123.x_y"})
    replaced = info_client.get("/info/", headers={"X-Request-ID": "bad id;" + "x" * 200})

    assert kept.headers["x-request-id"] == "abc-123.x_y"
    assert replaced.headers["x-request-id"] != "bad id;" + "x" * 200
    assert len(replaced.headers["x-request-id"]) == 32
