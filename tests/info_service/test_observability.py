"""What info records about each decision on a token: the counter, the call's duration, the
breaker gauge and the span attribute (info_service/observability.py), read back exactly."""

import time
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import REGISTRY

from info_service.observability import OUTCOME_ATTRIBUTE, Outcome, record_decision


def sample(name: str, **labels: str) -> float:
    value = REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_every_outcome_is_exported_at_zero_from_the_start() -> None:
    exported = REGISTRY.get_sample_value
    for outcome in Outcome:
        assert exported("info_auth_decisions_total", {"outcome": outcome.value}) is not None
    for called in ("accepted", "refused", "unavailable"):
        assert exported("info_auth_call_duration_seconds_count", {"outcome": called}) is not None
    assert REGISTRY.get_sample_value("info_auth_breaker_open") is not None


@pytest.mark.parametrize("outcome", [Outcome.ACCEPTED, Outcome.REFUSED, Outcome.UNAVAILABLE])
def test_a_call_to_auth_is_counted_and_timed_from_its_start(outcome: Outcome) -> None:
    decisions = sample("info_auth_decisions_total", outcome=outcome.value)
    calls = sample("info_auth_call_duration_seconds_count", outcome=outcome.value)
    seconds = sample("info_auth_call_duration_seconds_sum", outcome=outcome.value)
    slow = sample("info_auth_call_duration_seconds_bucket", outcome=outcome.value, le="0.25")

    started = time.perf_counter() - 0.1  # a call that took 0.1 s
    record_decision(outcome, started, breaker_open=False)

    assert sample("info_auth_decisions_total", outcome=outcome.value) == decisions + 1
    assert sample("info_auth_call_duration_seconds_count", outcome=outcome.value) == calls + 1
    assert 0.1 <= sample("info_auth_call_duration_seconds_sum", outcome=outcome.value) - seconds < 0.2
    assert sample("info_auth_call_duration_seconds_bucket", outcome=outcome.value, le="0.25") == slow + 1


@pytest.mark.parametrize("outcome", [Outcome.BREAKER_OPEN, Outcome.CACHE_HIT])
def test_a_decision_without_a_call_is_counted_but_not_timed(outcome: Outcome) -> None:
    decisions = sample("info_auth_decisions_total", outcome=outcome.value)
    calls = [sample("info_auth_call_duration_seconds_count", outcome=each) for each in Outcome]

    record_decision(outcome, None, breaker_open=outcome is Outcome.BREAKER_OPEN)

    assert sample("info_auth_decisions_total", outcome=outcome.value) == decisions + 1
    assert [sample("info_auth_call_duration_seconds_count", outcome=each) for each in Outcome] == calls


def test_the_breaker_gauge_is_one_while_open_and_zero_after() -> None:
    record_decision(Outcome.BREAKER_OPEN, None, breaker_open=True)
    assert sample("info_auth_breaker_open") == 1
    record_decision(Outcome.UNAVAILABLE, time.perf_counter(), breaker_open=True)
    assert sample("info_auth_breaker_open") == 1
    record_decision(Outcome.ACCEPTED, time.perf_counter(), breaker_open=False)
    assert sample("info_auth_breaker_open") == 0


def test_the_outcome_is_an_attribute_of_the_requests_span() -> None:
    span: Any = TracerProvider().get_tracer("test").start_span("GET /info/")
    with trace.use_span(span):
        record_decision(Outcome.CACHE_HIT, None, breaker_open=False)
    assert dict(span.attributes or {}) == {OUTCOME_ATTRIBUTE: "cache_hit"}
    assert OUTCOME_ATTRIBUTE == "auth.outcome"
