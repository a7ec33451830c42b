"""The bench's outputs: results.json, report.md (tables, ratios against the targets), report.png."""

import json
import os
from dataclasses import asdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: write files only
import matplotlib.pyplot as plt

from bench.run import Results, Summary
from bench.variants import ALTERNATIVES, MAIN

# The targets of issue #5, at these concurrencies.
VS_BLOG, VS_BARE, AT = 6.0, 0.5, 16
P99_OVER_P50, TAIL_AT = 4.0, 64


def write(results: Results, out: Path, command: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(asdict(results), indent=2) + "\n")
    plot(results, out / "report.png")
    (out / "report.md").write_text(markdown(results, command))


def find(results: Results, variant: str, connections: int) -> Summary | None:
    return next((s for s in results.summaries if s.variant == variant and s.connections == connections), None)


def targets(results: Results) -> list[tuple[str, float, str, bool]]:
    """(what, measured, target, met) for each target the plan measured."""
    found = []
    stack, blog, bare = (find(results, name, AT) for name in ("stack", "blog", "bare"))
    if stack and blog and bare:
        found.append(
            (
                f"stack / blog, req/s at {AT}",
                stack.throughput / blog.throughput,
                f">= {VS_BLOG:g}",
                stack.throughput / blog.throughput >= VS_BLOG,
            )
        )
        found.append(
            (
                f"stack / bare route, req/s at {AT}",
                stack.throughput / bare.throughput,
                f">= {VS_BARE:g}",
                stack.throughput / bare.throughput >= VS_BARE,
            )
        )
    tail = find(results, "stack", TAIL_AT)
    if tail:
        found.append(
            (
                f"stack p99 / p50 at {TAIL_AT}",
                tail.p99_ms / tail.p50_ms,
                f"<= {P99_OVER_P50:g}",
                tail.p99_ms / tail.p50_ms <= P99_OVER_P50,
            )
        )
    return found


def markdown(results: Results, command: str) -> str:
    plan = results.plan
    descriptions = {v.name: v.description for v in [*MAIN, *ALTERNATIVES]}
    lines = [
        "# GET /info/ with a valid token: throughput and latency",
        "",
        f"`{command}`, {results.started}, {results.seconds:.0f} s. wrk on loopback, one thread; "
        f"{plan.rounds} round(s) of {plan.seconds} s per variant and concurrency, variants "
        "interleaved (a different order each round); medians over the rounds, errors summed.",
        "",
        f"**The machine has {os.cpu_count()} cores, and the load generator competes for them** with "
        "the services it measures (the stack runs two Python processes, plus wrk). Other work on the "
        "machine adds noise: compare variants within one run, not across runs. "
        "CPU µs/req is the CPU the variant's own processes spent per request (from /proc): steadier "
        "than req/s on a busy machine.",
        "",
        "| variant | connections | req/s | p50 ms | p99 ms | errors | CPU µs/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant in MAIN:
        for connections in plan.concurrencies:
            s = find(results, variant.name, connections)
            if s:
                lines.append(row(s))
    lines += ["", "| target | measured | wanted | met |", "| --- | ---: | ---: | :---: |"]
    lines += [
        f"| {what} | {value:.2f} | {wanted} | {'yes' if met else '**no**'} |"
        for what, value, wanted, met in targets(results)
    ]
    stack = find(results, "stack", plan.alternatives_at)
    lines += [
        "",
        f"## Alternatives, at {plan.alternatives_at} connections (same rounds)",
        "",
        "| variant | req/s | vs stack | p50 ms | p99 ms | errors | CPU µs/req | CPU vs stack |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant in [*MAIN, *ALTERNATIVES]:
        s = find(results, variant.name, plan.alternatives_at)
        if s and stack:
            lines.append(
                f"| {s.variant} | {s.throughput:,.0f} | {s.throughput / stack.throughput:.2f} | "
                f"{s.p50_ms:.1f} | {s.p99_ms:.1f} | {s.errors} | {s.cpu_us_per_request:,.0f} | "
                f"{s.cpu_us_per_request / stack.cpu_us_per_request:.2f} |"
            )
    lines += ["", "Variants:", ""]
    lines += [f"- **{name}**: {text}" for name, text in descriptions.items()]
    if results.memory:
        load = results.memory[0].load
        lines += [
            "",
            f"## Memory: the stack under {plan.memory_seconds} s of load at {plan.memory_connections} "
            f"connections ({load.requests:,} requests, {load.errors} errors)",
            "",
            "| service | RSS before, MiB | RSS after, MiB | growth, MiB |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {m.service} | {m.before_mib:.1f} | {m.after_mib:.1f} | {m.after_mib - m.before_mib:+.1f} |"
            for m in results.memory
        ]
        lines += ["", "Before is after a warm-up and the rounds above, so pools and caches are full."]
    lines += ["", "![throughput and latency](report.png)", ""]
    return "\n".join(lines)


def row(s: Summary) -> str:
    return (
        f"| {s.variant} | {s.connections} | {s.throughput:,.0f} | {s.p50_ms:.1f} | {s.p99_ms:.1f} | "
        f"{s.errors} | {s.cpu_us_per_request:,.0f} |"
    )


def plot(results: Results, path: Path) -> None:
    plan = results.plan
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), width_ratios=[3, 2])
    width = 0.8 / len(MAIN)
    for i, variant in enumerate(MAIN):
        found = [find(results, variant.name, c) for c in plan.concurrencies]
        xs = [j + i * width for j in range(len(plan.concurrencies))]
        bars = left.bar(xs, [s.throughput if s else 0 for s in found], width, label=variant.name)
        left.bar_label(bars, fmt="{:,.0f}", fontsize=8)
    left.set_xticks([j + width * (len(MAIN) - 1) / 2 for j in range(len(plan.concurrencies))])
    left.set_xticklabels([f"{c} connections" for c in plan.concurrencies])
    left.set_ylabel("requests/s (median)")
    left.set_title("GET /info/ with a valid token")
    left.legend()
    names = [v.name for v in [*MAIN, *ALTERNATIVES] if find(results, v.name, plan.alternatives_at)]
    found = [find(results, name, plan.alternatives_at) for name in names]
    bars = right.barh(names, [s.throughput for s in found if s], color="tab:gray")
    right.bar_label(bars, fmt="{:,.0f}", fontsize=8)
    right.invert_yaxis()
    right.set_xlabel("requests/s (median)")
    right.set_title(f"variants at {plan.alternatives_at} connections")
    fig.text(
        0.01,
        0.01,
        f"{results.started}; {os.cpu_count()} cores shared with the load generator (wrk)",
        fontsize=8,
        color="gray",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
