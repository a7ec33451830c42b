"""The short path of info's httpx client to auth (`info_service/auth_http.py`).

For every call the generated client makes, the transport must receive the very request httpx's
full path builds (method, URL, headers in order, body, timeouts), and the caller must get the same
response; every other call must take httpx's full path.
"""

import gc
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from clients.auth_client import AuthenticatedClient
from clients.auth_client.api.auth import login
from clients.auth_client.api.health import healthz, readyz
from clients.auth_client.api.monitoring import metrics
from info_service.auth_http import (
    _CookielessClient,
    _ForwardCallerAuthorization,
    auth_http_client,
    caller_authorization,
    generated_client,
)
from info_service.config import CallsToAuth

pytestmark = pytest.mark.anyio

Answer = Callable[[httpx.Request], httpx.Response]


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"subject": "demo"}, headers={"X-Request-ID": "r"})


def described(request: httpx.Request) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": str(request.url),
        "raw_path": request.url.raw_path,
        "headers": request.headers.raw,
        "extensions": dict(request.extensions),
        "content": getattr(request, "_content", "not read"),  # a redirect's is not read
        "stream": type(request.stream),
    }


class Recorder(httpx.AsyncBaseTransport):
    """Answers with `answer`, and keeps what it was sent (as it was when sent) and what it answered."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: list[tuple[httpx.Request, dict[str, Any]]] = []
        self.answered: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request, described(request)))
        response = self.answer(request)
        self.answered.append(response)
        return response


def outcome(recorder: Recorder, result: object) -> dict[str, Any]:
    """What the transport was sent, and what the caller got back, comparable between runs."""
    if not recorder.sent:  # refused before sending
        assert isinstance(result, BaseException)
        return {"sent": None, "got": (type(result), str(result))}
    [(request, sent)] = recorder.sent
    if isinstance(result, BaseException):
        got: Any = (type(result), str(result), getattr(result, "_request", None) is request)
    else:
        [response] = recorder.answered
        try:
            elapsed: bool | None = response.elapsed is not None
        except RuntimeError:
            elapsed = None
        following = response.next_request
        got = {
            "returned": result is response if isinstance(result, httpx.Response) else type(result),
            "status": response.status_code,
            "headers": response.headers.raw,
            "content": response.content,
            "request is the one sent": response.request is request,
            "default_encoding": response.default_encoding,
            "text": response.text,
            "history": response.history,
            "next_request": described(following) if following is not None else None,
            "closed": response.is_closed,
            "elapsed set": elapsed,
        }
    return {"sent": sent, "got": got}


async def run(
    call: Callable[[httpx.AsyncClient], Awaitable[object]],
    answer: Answer,
    monkeypatch: pytest.MonkeyPatch,
    *,
    full: bool,
    setup: Callable[[httpx.AsyncClient], None] = lambda http: None,
) -> dict[str, Any]:
    """`call` on the production client over a recorder, by httpx's full path or by the short one."""
    recorder = Recorder(answer)
    with monkeypatch.context() as patch:
        if full:
            patch.setattr(_CookielessClient, "request", httpx.AsyncClient.request)
        else:  # the short path never reaches `send`: this proves it was taken
            patch.setattr(httpx.AsyncClient, "send", refuse_full_path)
        async with auth_http_client(CallsToAuth(auth_url="http://auth.test:8001"), recorder) as http:
            setup(http)
            try:
                result: object = await call(http)
            except Exception as exc:  # compared between the two paths
                result = exc
    return outcome(recorder, result)


async def refuse_full_path(*args: object, **kwargs: object) -> None:
    raise AssertionError("httpx's full path was taken")


async def refuse_short_path(*args: object, **kwargs: object) -> None:
    raise AssertionError("the short path was taken")


def generated(
    operation: Callable[..., Awaitable[Any]], **arguments: Any
) -> Callable[[httpx.AsyncClient], Awaitable[Any]]:
    async def call(http: httpx.AsyncClient) -> Any:
        client: AuthenticatedClient = generated_client(http)
        return await operation(client=client, **arguments)

    return call


GENERATED_CALLS = {
    "login": generated(login.asyncio_detailed, x_request_id="req-1", x_forwarded_for="203.0.113.9"),
    "login, no request id": generated(login.asyncio_detailed, x_forwarded_for="203.0.113.9"),
    "login, nothing optional": generated(login.asyncio_detailed),
    "readyz": generated(readyz.asyncio_detailed, x_request_id="req-2"),
    "healthz": generated(healthz.asyncio_detailed),
    "metrics": generated(metrics.asyncio_detailed, x_request_id="req-3"),
}


@pytest.mark.parametrize(
    "token",
    ["merixstudio", "Bearer a.b-c", None, "t\u00f6ken"],
    ids=["raw", "bearer", "none", "latin-1"],  # ASCII ids: mutmut selects tests by id
)
@pytest.mark.parametrize("name", list(GENERATED_CALLS))
async def test_each_generated_call_sends_what_full_httpx_sends(monkeypatch, name, token):
    call = GENERATED_CALLS[name]
    reset = caller_authorization.set(token)
    try:
        short = await run(call, ok, monkeypatch, full=False)
        full = await run(call, ok, monkeypatch, full=True)
    finally:
        caller_authorization.reset(reset)

    assert short == full
    assert (short["sent"]["headers"][0], short["sent"]["extensions"]["timeout"]) == (
        (b"Host", b"auth.test:8001"),
        {"connect": 0.5, "read": 1.0, "write": 1.0, "pool": 1.0},
    )


async def body(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def raise_(error: Exception) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error

    return answer


ANSWERS: dict[str, Answer] = {
    "json": ok,
    "redirect, not followed": lambda request: httpx.Response(307, headers={"Location": "/elsewhere/"}),
    "streamed": lambda request: httpx.Response(200, content=body([b'{"sub', b'ject":"x"}'])),
    "refused, without the request": raise_(httpx.ConnectError("refused")),
    "timed out": lambda request: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=request)),
    "latin-1 body": lambda request: httpx.Response(200, content="\u00e9".encode("latin-1")),
}


@pytest.mark.parametrize("name", list(ANSWERS))
async def test_the_caller_gets_what_full_httpx_gives(monkeypatch, name):
    call = GENERATED_CALLS["login"]
    short = await run(call, ANSWERS[name], monkeypatch, full=False)
    full = await run(call, ANSWERS[name], monkeypatch, full=True)

    assert short == full


async def test_the_clients_default_encoding_is_applied(monkeypatch):
    def latin_1(http: httpx.AsyncClient) -> None:
        http._default_encoding = "latin-1"  # what `default_encoding="latin-1"` sets

    answer, call = ANSWERS["latin-1 body"], direct()
    short = await run(call, answer, monkeypatch, full=False, setup=latin_1)
    full = await run(call, answer, monkeypatch, full=True, setup=latin_1)

    assert short == full
    assert short["got"]["text"] == "\u00e9"


def direct(**arguments: Any) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
    async def call(http: httpx.AsyncClient) -> httpx.Response:
        return await http.request(**{"method": "post", "url": "/login/", **arguments})

    return call


def with_headers(http: httpx.AsyncClient) -> None:
    http.headers.update({"X-Client": "c", "Accept": "application/json"})  # in place, as with_headers()


def moved(http: httpx.AsyncClient) -> None:
    http.base_url = httpx.URL("https://auth.example:8443/v1")


@pytest.mark.parametrize(
    ("call", "setup"),
    [
        (direct(headers={"User-Agent": "mine", "x-request-id": "r"}), lambda http: None),
        (direct(headers={"X-Request-ID": "r"}), with_headers),
        (direct(headers={"X-Request-ID": "r"}), moved),
        (direct(url="https://other.example/login/"), lambda http: None),
        (direct(method="GET", url="/readyz", params={}), lambda http: None),
        (direct(url="/login/?kept=1"), lambda http: None),
        (direct(url="/login/?dropped=1", params={}), lambda http: None),  # httpx's rule, odd as it is
        (direct(headers={"X-Request-ID": "r\u00e9"}), lambda http: None),  # both refuse non-ASCII
    ],
    ids=[
        "overridden-default",
        "client-headers",
        "new-base-url",
        "absolute-url",
        "empty-params",
        "query-in-url",
        "query-and-empty-params",
        "non-ascii-header",
    ],
)
async def test_merges_follow_httpx_rules(monkeypatch, call, setup):
    short = await run(call, ok, monkeypatch, full=False, setup=setup)
    full = await run(call, ok, monkeypatch, full=True, setup=setup)

    assert short == full


async def test_a_template_follows_the_client_when_it_changes(monkeypatch):
    recorder = Recorder(ok)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse_full_path)
    async with auth_http_client(CallsToAuth(), recorder) as http:
        await http.request("post", "/login/")
        http.headers["X-Later"] = "1"
        await http.request("post", "/login/")
        http.base_url = "http://auth.moved:9/"
        await http.request("post", "/login/")

    [first, later, moved_] = [sent for _, sent in recorder.sent]
    assert (b"X-Later", b"1") not in first["headers"] and (b"X-Later", b"1") in later["headers"]
    assert moved_["url"] == "http://auth.moved:9/login/"
    assert (b"Host", b"auth.moved:9") in moved_["headers"]


def noop_hook(*args: object) -> None:
    pass


async def anoop_hook(*args: object) -> None:
    pass


@pytest.mark.parametrize(
    ("call", "setup"),
    [
        (direct(params={"a": "1"}), None),
        (direct(json={"a": 1}), None),
        (direct(content=b"x"), None),
        (direct(data={"a": "b"}), None),
        (direct(files={"f": b"x"}), None),
        (direct(auth=("user", "secret")), None),
        (direct(follow_redirects=True), None),
        (direct(timeout=5.0), None),
        (direct(extensions={"trace": noop_hook}), None),
        (direct(url=httpx.URL("/login/")), None),
        (direct(headers={"Content-Type": "text/plain"}), None),
        (direct(headers={"Transfer-Encoding": "chunked"}), None),
        (direct(headers={"host": "elsewhere"}), None),
        (direct(headers={"Content-Length": "0"}), None),
        (direct(headers=[("X-Request-ID", "r")]), None),
        (direct(headers={b"X-Request-ID": b"r"}), None),
        (direct(), lambda http: http.event_hooks.update(request=[anoop_hook])),
        (direct(), lambda http: http.event_hooks.update(response=[anoop_hook])),
        (direct(), lambda http: setattr(http, "follow_redirects", True)),
        (direct(), lambda http: setattr(http, "params", {"a": "1"})),
        (direct(), lambda http: setattr(http, "auth", ("user", "secret"))),
    ],
    ids=[
        "params",
        "json",
        "content",
        "data",
        "files",
        "auth",
        "follow-redirects",
        "timeout",
        "extensions",
        "url-object",
        "content-type",
        "transfer-encoding",
        "host",
        "content-length",
        "header-list",
        "bytes-header-names",
        "request-hook",
        "response-hook",
        "client-follows-redirects",
        "client-params",
        "client-auth",
    ],
)
async def test_anything_else_takes_httpxs_full_path(monkeypatch, call, setup):
    monkeypatch.setattr(_CookielessClient, "_send_once", refuse_short_path)
    recorder = Recorder(ok)
    async with auth_http_client(CallsToAuth(), recorder) as http:
        if setup is not None:
            setup(http)
        response = await call(http)

    assert response.status_code == 200
    assert len(recorder.sent) == 1


async def test_a_mounted_transport_takes_httpxs_full_path(monkeypatch):
    monkeypatch.setattr(_CookielessClient, "_send_once", refuse_short_path)
    mounted = Recorder(ok)
    async with _CookielessClient(
        base_url="http://auth.test",
        auth=_ForwardCallerAuthorization(),
        transport=Recorder(ok),
        mounts={"http://auth.test": mounted},
    ) as http:
        await http.request("post", "/login/")

    assert len(mounted.sent) == 1


async def test_a_client_not_opened_yet_or_closed_is_left_to_httpx(monkeypatch):
    monkeypatch.setattr(_CookielessClient, "_send_once", refuse_short_path)
    http = auth_http_client(CallsToAuth(), Recorder(ok))
    assert (await http.request("post", "/login/")).status_code == 200  # httpx opens it
    await http.aclose()
    with pytest.raises(RuntimeError, match="client has been closed"):
        await http.request("post", "/login/")


async def test_the_short_path_is_traced_like_the_full_one(monkeypatch):
    """The httpx instrumentation wraps the transport, under both paths: one client span per call,
    whose context goes out in `traceparent`."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse_full_path)
    recorder = Recorder(ok)
    async with auth_http_client(CallsToAuth(), recorder) as http:
        HTTPXClientInstrumentor.instrument_client(http, tracer_provider=provider)
        try:
            await GENERATED_CALLS["login"](http)
        finally:
            HTTPXClientInstrumentor.uninstrument_client(http)

    [span] = exporter.get_finished_spans()
    [(_, sent)] = recorder.sent
    traceparent = dict(sent["headers"])[b"traceparent"].decode()
    assert span.name == "POST" and span.attributes is not None
    assert span.attributes.get("http.response.status_code", span.attributes.get("http.status_code")) == 200
    assert traceparent.split("-")[1:3] == [f"{span.context.trace_id:032x}", f"{span.context.span_id:016x}"]


async def test_the_short_path_logs_the_line_httpx_logs(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="httpx")
    for full in (False, True):
        await run(GENERATED_CALLS["login"], ok, monkeypatch, full=full)

    lines = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert lines == ['HTTP Request: POST http://auth.test:8001/login/ "HTTP/1.1 200 OK"'] * 2


@pytest.mark.parametrize("answered", ["json", "streamed"])
@pytest.mark.parametrize("full", [False, True], ids=["short", "full"])
async def test_a_read_answer_is_freed_without_the_garbage_collector(monkeypatch, full, answered):
    """httpx's response and its bound stream point at each other; the short path drops the stream
    once the answer is read, so no call to auth leaves a cycle behind (httpx's full path does)."""
    recorder = Recorder(ANSWERS[answered])
    if full:
        monkeypatch.setattr(_CookielessClient, "request", httpx.AsyncClient.request)
    async with auth_http_client(CallsToAuth(), recorder) as http:
        gc.disable()
        try:
            answer = await http.request("post", "/login/")
            assert answer.json()["subject"] in ("demo", "x")
            assert isinstance(answer.stream, httpx.AsyncByteStream)  # what httpx types it as
            left = weakref.ref(answer)
            del answer, recorder.answered[:]
            assert (left() is None) is not full
        finally:
            gc.enable()
