"""Every finding of every corpus pair (tests/tools/test_compat_corpus.py), both ways: the rule, its
verdict, where and what, and the note when the verdict differs from the rule's.

The corpus pins each pair's verdict; this pins what `make compat` tells its users about it. The
findings are written by `python -m tests.tools.test_compat_checker` into corpus/findings.yaml and
read in review: a diff there is a change to the changelog. (Named after the module, so that under
`make mutate` a mutant of tools/compat/checker.py meets these tests first.)
"""

from functools import cache

import pytest
import yaml

from tests.tools.test_compat_corpus import CORPUS, PAIRS, Pair, _pair
from tools.compat import Report, compare

FINDINGS = CORPUS / "findings.yaml"


def findings(report: Report) -> list[str]:
    return [
        f"{'BREAKING' if change.breaking else 'ok'} {change.rule.id} at {change.location}: {change.message}"
        + (f" (why: {change.note})" if change.note else "")
        for change in report.changes
    ]


@cache
def _findings() -> dict[str, dict[str, list[str]]]:
    return yaml.load(FINDINGS.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("case", PAIRS, ids=[case.id for case in PAIRS])
def test_each_finding_has_its_rule_verdict_location_and_message(case: Pair) -> None:
    old, new = _pair(case)
    expected = _findings()[case.id]
    assert findings(compare(old, new)) == expected["old -> new"]
    assert findings(compare(new, old)) == expected["new -> old"]


def test_every_pair_has_its_findings_written_down() -> None:
    assert list(_findings()) == [case.id for case in PAIRS]


def write_findings() -> None:
    written = {}
    for case in PAIRS:
        old, new = _pair(case)
        written[case.id] = {
            "old -> new": findings(compare(old, new)),
            "new -> old": findings(compare(new, old)),
        }
    FINDINGS.write_text(
        "# Written by `python -m tests.tools.test_compat_checker`; read the diff before committing it.\n"
        + yaml.safe_dump(written, sort_keys=False, width=200, allow_unicode=True),
        encoding="utf-8",
    )


if __name__ == "__main__":
    write_findings()
