"""The bench's verdicts on issue 14's targets, each a ratio of two figures of the same run."""

from bench.load import Run
from bench.report import markdown, targets
from bench.run import Memory, Plan, Results, Summary


def summary(
    variant: str, connections: int, throughput: float, cpu: float = 100, p50: float = 1.0, p99: float = 2.0
) -> Summary:
    return Summary(variant, connections, throughput, p50, p99, errors=0, cpu_us_per_request=cpu, rounds=3)


def memory(service: str, *mib: float) -> Memory:
    """RSS samples one per 10 s of a 60 s run at 1,000 req/s; the warm-up is the first 20 s."""
    load = Run(requests=60_000, seconds=60.0, p50_ms=1, p99_ms=2, errors=0, cpu_us_per_request=1)
    return Memory(service, [(10.0 * i, each) for i, each in enumerate(mib)], load, warm_up_s=20.0)


def results(*summaries: Summary, memories: tuple[Memory, ...] = ()) -> Results:
    return Results(Plan.full(), list(summaries), list(memories), started="now", seconds=1.0)


def test_each_target_is_the_ratio_of_two_medians_of_the_run_against_its_bound():
    measured = results(
        summary("blog", 16, 600),
        summary("stack", 16, 2400, cpu=700),
        summary("minimal hop", 16, 3000, cpu=500),
        summary("stack", 64, 2900, p50=20, p99=90),
        memories=(
            memory("auth_service", 50, 55, 60, 61, 61.5, 62, 62.5),
            memory("info_service", 90, 91, 92, 92),
        ),
    )

    assert targets(measured) == [
        ("stack / minimal hop, CPU µs per request at 16", 1.4, "<= 1.3", False),
        ("stack / blog, req/s at 16, one process per service", 4.0, ">= 5", False),
        ("stack p99 / p50 at 64", 4.5, "<= 4", False),
        # growth from the first sample at or after 20 s (60 MiB) to the last (62.5 MiB)
        ("auth_service: RSS growth after the 20 s warm-up, MiB", 2.5, "<= 2", False),
        ("info_service: RSS growth after the 20 s warm-up, MiB", 0.0, "<= 2", True),
    ]


def test_targets_met_read_yes_and_the_memory_table_gives_bytes_per_request():
    measured = results(
        summary("blog", 16, 500),
        summary("stack", 16, 2600, cpu=600),
        summary("minimal hop", 16, 3200, cpu=480),
        summary("stack", 64, 4000, p50=10, p99=40),
        memories=(memory("info_service", 100, 110, 120, 120.5, 121, 121, 121.5),),
    )

    assert [met for *_, met in targets(measured)] == [True, True, True, True]
    text = markdown(measured, "make bench")
    assert "| stack / minimal hop, CPU µs per request at 16 | 1.25 | <= 1.3 | yes |" in text
    # 1.5 MiB over the 40,000 requests after the warm-up: 39 B each
    assert "| info_service | 100.0 | 120.0 | 121.5 | +1.5 | 39 |" in text


def test_the_cpu_column_gives_each_service_s_part():
    measured = results(
        Summary(
            "stack", 16, 2000, 1, 2, errors=0, cpu_us_per_request=1261, rounds=3, cpu_us_by_service=(379, 882)
        ),
        summary("bare", 16, 8000, cpu=130),
    )

    text = markdown(measured, "make bench")
    assert "| stack | 16 | 2,000 | 1.0 | 2.0 | 0 | 1,261 (379 + 882) |" in text
    assert "| bare | 16 | 8,000 | 1.0 | 2.0 | 0 | 130 |" in text


def test_a_target_the_plan_did_not_measure_is_left_out_not_guessed():
    measured = results(summary("blog", 16, 500), summary("stack", 16, 3000))

    assert [what for what, *_ in targets(measured)] == ["stack / blog, req/s at 16, one process per service"]
