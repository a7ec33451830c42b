"""The bench's verdicts on the targets of issue #5, from the medians it measured."""

from bench.report import markdown, targets
from bench.run import Plan, Results, Summary


def summary(variant: str, connections: int, throughput: float, p50: float = 1.0, p99: float = 2.0) -> Summary:
    return Summary(variant, connections, throughput, p50, p99, errors=0, cpu_us_per_request=100, rounds=3)


def results(*summaries: Summary) -> Results:
    return Results(Plan.full(), list(summaries), [], started="now", seconds=1.0)


def test_each_target_is_the_ratio_of_medians_against_its_bound():
    measured = results(
        summary("blog", 16, 600),
        summary("stack", 16, 3000),
        summary("bare", 16, 8000),
        summary("stack", 64, 2900, p50=20, p99=90),
    )

    assert targets(measured) == [
        ("stack / blog, req/s at 16", 5.0, ">= 6", False),
        ("stack / bare route, req/s at 16", 0.375, ">= 0.5", False),
        ("stack p99 / p50 at 64", 4.5, "<= 4", False),
    ]


def test_targets_met_read_yes():
    measured = results(
        summary("blog", 16, 500),
        summary("stack", 16, 4000),
        summary("bare", 16, 8000),
        summary("stack", 64, 4000, p50=10, p99=40),
    )

    assert [met for *_, met in targets(measured)] == [True, True, True]
    assert "| stack / blog, req/s at 16 | 8.00 | >= 6 | yes |" in markdown(measured, "make bench")
