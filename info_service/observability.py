"""What info records about each decision on a token: metrics, and an attribute of its span.

Five outcomes: auth `accepted` or `refused` the token, was `unavailable` (unreachable, too slow,
off-contract), was not asked because the circuit breaker is `breaker_open`, or was not asked
because the decision cache remembered an acceptance (`cache_hit`).
"""

import time
from enum import StrEnum

from prometheus_client import Counter, Gauge, Histogram

from common.metrics import LATENCY_BUCKETS
from common.telemetry import set_span_attribute

OUTCOME_ATTRIBUTE = "auth.outcome"


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"
    BREAKER_OPEN = "breaker_open"
    CACHE_HIT = "cache_hit"


DECISIONS = Counter(
    "info_auth_decisions",
    "Decisions on a caller's token, by outcome: accepted, refused, unavailable (auth was asked), "
    "breaker_open, cache_hit (auth was not asked).",
    ["outcome"],
)
CALLS = Histogram(
    "info_auth_call_duration_seconds",
    "Calls to auth's login (a retry included), by outcome: accepted, refused, unavailable.",
    ["outcome"],
    buckets=LATENCY_BUCKETS,
)
BREAKER_OPEN = Gauge(
    "info_auth_breaker_open",
    "1 while the circuit breaker to auth is open, as of the last decision; summed over workers.",
    multiprocess_mode="livesum",
)

# Every outcome is exported from the start, at 0: `rate()` needs the series before the first event.
_decisions = {outcome: DECISIONS.labels(outcome) for outcome in Outcome}
_asked = (Outcome.ACCEPTED, Outcome.REFUSED, Outcome.UNAVAILABLE)
_calls = {outcome: CALLS.labels(outcome) for outcome in _asked}
BREAKER_OPEN.set(0)


def record_decision(outcome: Outcome, call_started: float | None, breaker_open: bool) -> None:
    """Counts the decision, times the call when auth was asked (`call_started`: perf_counter)."""
    _decisions[outcome].inc()
    if call_started is not None:
        _calls[outcome].observe(time.perf_counter() - call_started)
    BREAKER_OPEN.set(1 if breaker_open else 0)
    set_span_attribute(OUTCOME_ATTRIBUTE, outcome.value)
