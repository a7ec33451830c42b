"""Details of the gateway to auth that the end-to-end behaviour hides: the back-off between
retries, a 400 from auth, the exception's text, the transport's closing, the logging settings."""

import logging

import httpx
import pytest

from auth_service import create_app as create_auth_app
from auth_service.config import Settings as AuthSettings
from bench.aiohttp_transport import AiohttpTransport
from info_service import create_app
from info_service.auth import AuthUnavailable
from info_service.config import Settings
from info_service.http1 import NoAnswer
from tests.apps import info_with_auth
from tests.fakes import refuse, says_no, time_out
from tests.info_service.test_transport import answering, fake_auth

VALID = {"Authorization": "merixstudio"}


def test_retries_back_off_50_ms_then_100_ms_without_jitter(caplog):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    caplog.set_level(logging.WARNING, logger="stamina")
    with info_with_auth(refuse, auth_retries=3) as info:
        assert info.get("/info/", headers=VALID).status_code == 503

    waits = [record.__dict__["stamina.wait_for"] for record in caplog.records if record.name == "stamina"]
    assert waits == [0.05, 0.1, 0.1]


def hang_up(request: httpx.Request) -> httpx.Response:
    raise NoAnswer("closed before answering", request=request)


@pytest.mark.parametrize("failure", [refuse, hang_up], ids=["refused", "hung-up"])
@pytest.mark.parametrize("retries", [0, 1, 3])
def test_a_request_without_an_answer_is_sent_at_most_1_plus_auth_retries_times(failure, retries):
    calls = 0

    def auth(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return failure(request)

    with info_with_auth(auth, auth_retries=retries) as info:
        assert info.get("/info/", headers=VALID).status_code == 503

    assert calls == 1 + retries


def test_the_answer_to_a_retry_is_the_answer():
    answers = iter([hang_up, refuse, lambda request: httpx.Response(200, json={"subject": "demo"})])
    with info_with_auth(lambda request: next(answers)(request), auth_retries=2) as info:
        response = info.get("/info/", headers=VALID)

    assert response.status_code == 200
    assert next(answers, None) is None  # all three were sent


@pytest.mark.parametrize(
    ("answer", "status"),
    [(lambda request: httpx.Response(200, json={"subject": "demo"}), 200), (says_no, 401), (time_out, 503)],
    ids=["accepted", "refused", "timeout"],
)
def test_a_first_call_that_is_answered_or_times_out_never_enters_the_retry(monkeypatch, answer, status):
    """stamina's retry costs ~50 µs a call: it is entered only once a request went unanswered."""

    def no_retry(*args: object, **kwargs: object) -> None:
        raise AssertionError("stamina.retry_context entered")

    monkeypatch.setattr("stamina.retry_context", no_retry)
    with info_with_auth(answer) as info:
        assert info.get("/info/", headers=VALID).status_code == status

    with info_with_auth(refuse) as info, pytest.raises(AssertionError, match="retry_context entered"):
        info.get("/info/", headers=VALID)  # the patch works: a refusal does enter it


def test_a_400_from_auth_is_a_401_here():
    problem = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "no"}
    with info_with_auth(lambda request: httpx.Response(400, json=problem)) as info:
        response = info.get("/info/", headers=VALID)

    assert response.status_code == 401


def test_auth_unavailable_reads_as_its_detail():
    assert str(AuthUnavailable("The auth service is unreachable.")) == "The auth service is unreachable."
    assert AuthUnavailable("x", retry_after=0).retry_after == 1


@pytest.mark.anyio
async def test_closing_the_transport_closes_its_session():
    transport = AiohttpTransport()
    async with fake_auth(answering(b"200 OK", [], b"{}")) as (_, url):
        await transport.handle_async_request(httpx.Request("POST", f"{url}/login/"))
        session = transport._session
        await transport.aclose()
        await transport.aclose()  # twice is fine

    assert session is not None and session.closed
    assert transport._session is None


@pytest.mark.parametrize("create", ["auth", "info"])
def test_the_log_level_and_access_log_settings_take_effect(create):
    root, access = logging.getLogger(), logging.getLogger("access")
    levels = root.level, access.level
    try:
        if create == "auth":
            create_auth_app(AuthSettings(_env_file=None, log_level="ERROR", access_log=False))
        else:
            create_app(Settings(log_level="ERROR", access_log=False))
        assert (root.level, access.level) == (logging.ERROR, logging.WARNING)
    finally:
        root.setLevel(levels[0])
        access.setLevel(levels[1])
