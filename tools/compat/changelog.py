"""The changelog: every change, breaking ones first, each with where it is, why it matters, and
which consumers it breaks."""

from pathlib import Path

from tools.compat.checker import Change, Report
from tools.compat.consumers import Consumer


def who(change: Change, consumers: list[Consumer]) -> str:
    """Which consumers of the provider a breaking change reaches through their generated client."""
    if not change.operations:
        return "every caller (it is not about one operation)"
    if not consumers:
        return "breaks outside callers only (no registered service calls this contract)"
    hit, missed = [], []
    for consumer in consumers:
        called = [op for op in change.operations if consumer.calls(op.operation_id, op.method, str(op.path))]
        if called:
            calls = ", ".join(
                f"{op.operation_id or op} ({op})" if op.operation_id else str(op) for op in called
            )
            hit.append(f"{consumer.name}, which calls {calls}")
        else:
            missed.append(consumer.name)
    if hit:
        return "breaks " + "; ".join(hit)
    return f"breaks only outside callers ({', '.join(missed)} does not call it)"


def _shown(path: Path, root: Path | None) -> str:
    if root is not None and path.is_relative_to(root):
        return str(path.relative_to(root))
    return str(path)


def render(report: Report, consumers: list[Consumer], root: Path | None = None) -> list[str]:
    """The changelog; paths are shown relative to `root` when under it."""
    old, new = report.old, report.new
    lines = [f"{_shown(old.path, root)} ({old.version}) -> {_shown(new.path, root)} ({new.version})"]
    if not report.changed:
        lines.append("  no changes")
        return lines
    breaking = len(report.breaking)
    lines.append(f"  {breaking} breaking, {len(report.changes) - breaking} not breaking")
    for change in report.changes:
        rule = change.rule
        label = "BREAKING" if change.breaking else "ok"
        lines.append(f"  {label:8} {rule.id} [{rule.side}]")
        lines.append(f"           at:   {change.location}")
        lines.append(f"           what: {change.message}")
        lines.append(f"           why:  {change.why}")
        if change.breaking:
            lines.append(f"           who:  {who(change, consumers)}")
    return lines
