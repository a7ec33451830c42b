"""POST /login/: every status the spec documents."""

import pytest

from tests.fakes import UNAUTHORIZED

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("header", ["merixstudio", "Bearer merixstudio", "bearer merixstudio"])
def test_a_valid_token_names_its_subject(auth_client, header):
    response = auth_client.post("/login/", headers={"Authorization": header})

    assert response.status_code == 200
    assert response.json() == {"subject": "demo"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "wrong"},
        {"Authorization": "merixstudio "},
        {"Authorization": "Basic merixstudio"},
        {"Authorization": "Bearer"},
        {"Authorization": "merix studio"},
        {"Authorization": "x" * 513},
        {"Authorization": "merixstudio\u00e9".encode("latin-1")},
        {"Authorization": b"merix\x01studio"},
    ],
    ids=[
        "missing",
        "empty",
        "wrong",
        "trailing-space",
        "basic",
        "bare-bearer",
        "space",
        "too-long",
        "latin-1",
        "control",
    ],
)
def test_anything_else_is_401_with_a_problem_and_a_challenge(auth_client, headers):
    response = auth_client.post("/login/", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == UNAUTHORIZED


def test_several_authorization_headers_are_refused_not_resolved(auth_client):
    headers = [("Authorization", "merixstudio"), ("Authorization", "merixstudio")]

    response = auth_client.post("/login/", headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "Send exactly one Authorization header."


@pytest.mark.parametrize("body", [b"{}", b"x" * 100_000])
def test_a_request_body_is_refused(auth_client, body):
    response = auth_client.post("/login/", headers={"Authorization": "merixstudio"}, content=body)

    assert response.status_code == 400
    assert response.json()["detail"] == "This operation takes no request body."


def test_an_empty_body_is_no_body(auth_client):
    response = auth_client.post("/login/", headers={"Authorization": "merixstudio", "Content-Length": "0"})

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_ok(auth_client, path):
    response = auth_client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_paths_are_exact_and_methods_checked(auth_client):
    assert auth_client.post("/login", headers={"Authorization": "merixstudio"}).status_code == 404
    wrong_method = auth_client.get("/login/")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert wrong_method.headers["content-type"] == PROBLEM
