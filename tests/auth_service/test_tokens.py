"""Which tokens the service accepts, from its settings."""

import hashlib
import logging

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from auth_service import create_app
from auth_service.config import Settings
from auth_service.tokens import TokenBook


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(settings: Settings, token: str) -> int:
    with TestClient(create_app(settings)) as client:
        return client.post("/login/", headers={"Authorization": token}).status_code


def test_the_book_finds_the_subject_of_a_token_and_nothing_else():
    book = TokenBook({"alice": sha256("a-token"), "bob": sha256("b-token")})

    assert book.subject_for("a-token") == "alice"
    assert book.subject_for("b-token") == "bob"
    assert book.subject_for("c-token") is None
    assert book.subject_for(sha256("a-token")) is None


def test_configured_digests_replace_the_demo_token():
    settings = Settings(token_sha256={"alice": sha256("s3cret").upper()})

    assert login(settings, "s3cret") == 200
    assert login(settings, "merixstudio") == 401


def test_configured_plaintext_tokens_work_beside_digests():
    settings = Settings(tokens={"ci": "ci-token"}, token_sha256={"alice": sha256("s3cret")})

    assert login(settings, "ci-token") == 200
    assert login(settings, "s3cret") == 200


def test_tokens_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("AUTH_TOKEN_SHA256", f'{{"alice": "{sha256("from-env")}"}}')

    assert login(Settings(), "from-env") == 200


def test_demo_mode_warns_at_startup(caplog):
    settings = Settings()
    assert settings.demo_mode

    with TestClient(create_app(settings)):
        pass

    assert [r.getMessage() for r in caplog.records if r.name == "auth_service"] == [
        "demo mode: no AUTH_TOKEN_SHA256 or AUTH_TOKENS set, accepting the demo token"
    ]


def test_production_refuses_to_start_without_tokens():
    with pytest.raises(ValidationError, match="configure AUTH_TOKEN_SHA256"):
        Settings(environment="production")


def test_production_refuses_the_demo_token():
    with pytest.raises(ValidationError, match="demo token"):
        Settings(environment="production", tokens={"demo": "merixstudio"})


def test_a_digest_must_be_sha256_hex():
    with pytest.raises(ValidationError):
        Settings(token_sha256={"alice": "not-hex"})


def test_secrets_do_not_show_in_settings_repr():
    assert "s3cret" not in repr(Settings(tokens={"alice": "s3cret"}))


def test_no_token_reaches_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    settings = Settings(tokens={"alice": "s3cret-token"})
    with TestClient(create_app(settings)) as client:
        client.post("/login/", headers={"Authorization": "s3cret-token"})
        client.post("/login/", headers={"Authorization": "wrong-guess"})

    logged = [str(value) for record in caplog.records for value in vars(record).values()]
    assert any("/login/" in value for value in logged), "the access log should have been captured"
    assert not [value for value in logged if "s3cret-token" in value or "wrong-guess" in value]
