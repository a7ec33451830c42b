"""`/metrics` of real services after a known sequence of requests, parsed by prometheus-client's own parser.

Info runs two uvicorn workers in the client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR): the
counts are exact whichever worker served a request and whichever answers the scrape.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tools.launch import Service, free_port

TOKEN = "m3trics-token-not-a-secret"
VALID, WRONG = {"Authorization": TOKEN}, {"Authorization": "wrong-" + TOKEN}


@contextmanager
def started(app: str, env: dict[str, str], args: tuple[str, ...] = ()) -> Iterator[Service]:
    service = Service(app, env, args=list(args))
    try:
        yield service.start(timeout=60)  # a loaded 2-core machine takes seconds to import a service
    finally:
        service.close()


def scrape(service: Service) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = httpx.get(f"{service.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(metrics: dict, name: str, **labels: str) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


def send(url: str, count: int, headers: dict[str, str] | None = None) -> None:
    for _ in range(count):
        # A new connection each time: the two workers share the listening socket.
        httpx.get(url, headers=headers)


pytestmark = pytest.mark.processes


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[tuple[Service, Service, Path]]:
    auth_env = {"AUTH_TOKEN_SHA256": json.dumps({"m": hashlib.sha256(TOKEN.encode()).hexdigest()})}
    multiproc = tmp_path_factory.mktemp("prometheus")
    with started("auth_service:app", auth_env) as auth:
        info_env = {"AUTH_URL": auth.url, "AUTH_CACHE_TTL": "60", "PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
        with started("info_service:app", info_env, ("--workers", "2")) as info:
            yield auth, info, multiproc


def test_the_counts_are_exactly_the_requests_sent_over_two_workers(stack):
    auth, info, multiproc = stack
    before_auth, before_info = scrape(auth), scrape(info)  # the start-up probes are counted too

    send(f"{info.url}/info/", 6, VALID)
    send(f"{info.url}/info/", 3, WRONG)
    send(f"{info.url}/info/", 2)  # no token: refused without asking auth
    send(f"{info.url}/no-such-path", 1)
    after_auth, after_info = scrape(auth), scrape(info)

    def sent(metrics, before, name, **labels):
        return value(metrics, name, **labels) - value(before, name, **labels)

    assert sent(after_info, before_info, "http_requests_total", operation="getInfo", status="200") == 6
    assert sent(after_info, before_info, "http_requests_total", operation="getInfo", status="401") == 5
    assert sent(after_info, before_info, "http_requests_total", operation="unmatched", status="404") == 1
    assert sent(after_info, before_info, "http_requests_total", operation="metrics", status="200") == 1
    assert sent(after_info, before_info, "http_request_duration_seconds_count", operation="getInfo") == 11
    assert value(after_info, "http_requests_in_flight") == 1  # the scrape itself
    # Each worker keeps its own decision cache: auth is asked once per worker that got the token.
    accepted = sent(after_info, before_info, "info_auth_decisions_total", outcome="accepted")
    cache_hits = sent(after_info, before_info, "info_auth_decisions_total", outcome="cache_hit")
    assert accepted + cache_hits == 6 and 1 <= accepted <= 2
    assert sent(after_info, before_info, "info_auth_decisions_total", outcome="refused") == 3
    assert (
        sent(after_info, before_info, "info_auth_call_duration_seconds_count", outcome="accepted") == accepted
    )
    assert sent(after_info, before_info, "info_auth_call_duration_seconds_count", outcome="refused") == 3
    assert value(after_info, "info_auth_breaker_open") == 0
    # What auth counted is what info asked.
    assert sent(after_auth, before_auth, "http_requests_total", operation="login", status="200") == accepted
    assert sent(after_auth, before_auth, "http_requests_total", operation="login", status="401") == 3
    # Both workers wrote their values (one counter file per process), and the scrape added them up.
    assert len({path.stem.rsplit("_", 1)[1] for path in multiproc.glob("counter_*.db")}) == 2


def test_no_token_reaches_the_metrics(stack):
    _, info, _ = stack
    send(f"{info.url}/info/?token=qu3ry-" + TOKEN, 1, WRONG)

    assert TOKEN not in httpx.get(f"{info.url}/metrics").text


def test_an_open_breaker_is_counted_and_shown():
    env = {"AUTH_URL": f"http://127.0.0.1:{free_port()}", "AUTH_BREAKER_FAILURES": "2"}
    with started("info_service:app", env) as info:
        before = scrape(info)
        send(f"{info.url}/info/", 3, VALID)
        after = scrape(info)

    assert value(after, "info_auth_decisions_total", outcome="unavailable") == 2
    assert value(after, "info_auth_decisions_total", outcome="breaker_open") == 1
    assert value(after, "info_auth_call_duration_seconds_count", outcome="unavailable") == 2
    assert (value(before, "info_auth_breaker_open"), value(after, "info_auth_breaker_open")) == (0, 1)
    assert value(after, "http_requests_total", operation="getInfo", status="503") == 3
