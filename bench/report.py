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

# The targets of issue 14; each is a ratio of two figures of the same run. Throughput and CPU are
# compared at the plan's `alternatives_at` (16 in `make bench`), the tail at its highest concurrency
# (64).
CPU_VS_MINIMAL, VS_BLOG, P99_OVER_P50 = 1.3, 5.0, 4.0
# "RSS flat": after the warm-up, each service grows by at most this much over the rest of the
# memory run (40 s at 64 connections in `make bench`: ~50 B a request at 1,000 req/s).
FLAT_MIB = 2.0


def write(results: Results, out: Path, command: str, profile: str = "") -> None:
    """`profile` is bench.profile's report (markdown), appended to report.md when given."""
    out.mkdir(parents=True, exist_ok=True)
    data = asdict(results)
    for memory, measured in zip(results.memory, data["memory"], strict=True):
        measured |= {
            "before_mib": memory.before_mib,
            "warm_mib": memory.warm_mib,
            "after_mib": memory.after_mib,
            "growth_after_warm_up_mib": memory.growth_after_warm_up_mib,
            "bytes_per_request_after_warm_up": memory.bytes_per_request_after_warm_up,
        }
    data["targets"] = [
        dict(zip(("target", "measured", "wanted", "met"), t, strict=True)) for t in targets(results)
    ]
    (out / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    plot(results, out / "report.png")
    (out / "report.md").write_text(markdown(results, command) + (f"\n{profile}" if profile else ""))


def find(results: Results, variant: str, connections: int) -> Summary | None:
    return next((s for s in results.summaries if s.variant == variant and s.connections == connections), None)


def targets(results: Results) -> list[tuple[str, float, str, bool]]:
    """(what, measured, wanted, met) for each of issue 14's targets the plan measured."""
    found = []
    at, tail_at = results.plan.alternatives_at, max(results.plan.concurrencies)
    stack, minimal, blog = (find(results, name, at) for name in ("stack", "minimal hop", "blog"))
    if stack and minimal:
        ratio = stack.cpu_us_per_request / minimal.cpu_us_per_request
        found.append(
            (
                f"stack / minimal hop, CPU µs per request at {at}",
                ratio,
                f"<= {CPU_VS_MINIMAL:g}",
                ratio <= CPU_VS_MINIMAL,
            )
        )
    if stack and blog:
        ratio = stack.throughput / blog.throughput
        found.append(
            (
                f"stack / blog, req/s at {at}, one process per service",
                ratio,
                f">= {VS_BLOG:g}",
                ratio >= VS_BLOG,
            )
        )
    if tail := find(results, "stack", tail_at):
        ratio = tail.p99_ms / tail.p50_ms
        found.append((f"stack p99 / p50 at {tail_at}", ratio, f"<= {P99_OVER_P50:g}", ratio <= P99_OVER_P50))
    for memory in results.memory:
        growth = memory.growth_after_warm_up_mib
        found.append(
            (
                f"{memory.service}: RSS growth after the {memory.warm_up_s:.0f} s warm-up, MiB",
                growth,
                f"<= {FLAT_MIB:g}",
                growth <= FLAT_MIB,
            )
        )
    return found


def context(results: Results) -> list[tuple[str, float]]:
    """Ratios without a target, for scale: what the design allows, and the production setting."""
    pairs = [
        ("minimal hop", "blog", "req/s"),
        ("stack, 2 info workers", "blog", "req/s"),
        ("stack", "bare", "req/s"),
        ("minimal hop", "bare", "req/s"),
        ("stack, 2 info workers", "minimal hop", "CPU µs/req"),
        ("stack floor", "minimal hop", "CPU µs/req"),
        ("stack floor", "blog", "req/s"),
    ]
    found, at = [], results.plan.alternatives_at
    for top, bottom, what in pairs:
        a, b = find(results, top, at), find(results, bottom, at)
        if a and b:
            value = (
                a.throughput / b.throughput
                if what == "req/s"
                else a.cpu_us_per_request / b.cpu_us_per_request
            )
            found.append((f"{top} / {bottom}, {what} at {at}", value))
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
        "| variant | connections | req/s | p50 ms | p99 ms | errors | CPU µs/req (auth + info) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant in MAIN:
        for connections in plan.concurrencies:
            s = find(results, variant.name, connections)
            if s:
                lines.append(row(s))
    lines += [
        "",
        "## Targets (issue 14), each a ratio of two figures of this run",
        "",
        "| target | measured | wanted | met |",
        "| --- | ---: | ---: | :---: |",
    ]
    lines += [
        f"| {what} | {value:.2f} | {wanted} | {'yes' if met else '**no**'} |"
        for what, value, wanted, met in targets(results)
    ]
    lines += ["", "For scale (no target):", ""]
    lines += [f"- {what}: {value:.2f}" for what, value in context(results)]
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
                f"{s.p50_ms:.1f} | {s.p99_ms:.1f} | {s.errors} | {cpu(s)} | "
                f"{s.cpu_us_per_request / stack.cpu_us_per_request:.2f} |"
            )
    lines += ["", "Variants:", ""]
    lines += [f"- **{name}**: {text}" for name, text in descriptions.items()]
    if results.memory:
        load = results.memory[0].load
        warm_up = results.memory[0].warm_up_s
        lines += [
            "",
            f"## Memory: the stack under {plan.memory_seconds} s of load at {plan.memory_connections} "
            f"connections ({load.requests:,} requests, {load.errors} errors)",
            "",
            "| service | RSS at start, MiB | after warm-up | at end | growth after warm-up | B/request |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {m.service} | {m.before_mib:.1f} | {m.warm_mib:.1f} | {m.after_mib:.1f} | "
            f"{m.growth_after_warm_up_mib:+.1f} | {m.bytes_per_request_after_warm_up:,.0f} |"
            for m in results.memory
        ]
        lines += [
            "",
            f"RSS sampled from /proc about every second. Start is after the rounds above (pools and "
            f"caches full); the first {warm_up:.0f} s are warm-up (the young GC generation fills). "
            f"**Flat** means at most {FLAT_MIB:g} MiB of growth per service after the warm-up; "
            "B/request is that growth over the requests served meanwhile (a leak shows as a steady "
            "figure of tens of bytes or more).",
        ]
    lines += ["", "![throughput and latency](report.png)", ""]
    return "\n".join(lines)


def row(s: Summary) -> str:
    return (
        f"| {s.variant} | {s.connections} | {s.throughput:,.0f} | {s.p50_ms:.1f} | {s.p99_ms:.1f} | "
        f"{s.errors} | {cpu(s)} |"
    )


def cpu(s: Summary) -> str:
    """The CPU per request, with each service's part when there are two: "1,263 (379 + 882)"."""
    parts = (
        f" ({' + '.join(f'{each:,.0f}' for each in s.cpu_us_by_service)})"
        if len(s.cpu_us_by_service) > 1
        else ""
    )
    return f"{s.cpu_us_per_request:,.0f}{parts}"


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
