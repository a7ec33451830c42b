"""The rules (tools/compat/rules.py): one id per kind of change, each with its side and verdict.

The table is built when the module is imported, before `make mutate` switches a mutant on, so the
helpers that build it are also called here directly, on a scratch table."""

import pytest

from tools.compat import rules
from tools.compat.rules import OASDIFF_IDS, RULES, Rule, schema_rule_id


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch) -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    monkeypatch.setattr(rules, "RULES", table)
    return table


def test_a_rule_is_registered_under_its_id(scratch: dict[str, Rule]) -> None:
    rules._rule("my-rule", "request", True, "callers break")
    assert scratch == {"my-rule": Rule("my-rule", "request", True, "callers break")}
    rule = scratch["my-rule"]
    assert (rule.id, rule.side, rule.breaking, rule.why, rule.oasdiff) == (
        "my-rule",
        "request",
        True,
        "callers break",
        False,
    )


def test_a_schema_rule_gets_an_id_of_its_own_only_for_properties_or_where_oasdiff_has_one(
    scratch: dict[str, Rule],
) -> None:
    rules._schema_rule("request-property", "max-unset", "request", False, "in range")
    rules._schema_rule("request-body", "max-set", "request", True, "out of range")
    rules._schema_rule("request-body", "max-unset", "request", False, "in range")
    rules._schema_rule("response-header", "max-set", "response", False, "in range")
    assert "request-property-max-unset" not in OASDIFF_IDS  # registered for its stem alone
    assert scratch == {
        "request-property-max-unset": Rule("request-property-max-unset", "request", False, "in range"),
        "request-body-max-set": Rule("request-body-max-set", "request", True, "out of range"),
    }


def test_a_schema_rule_without_an_id_of_its_own_falls_back_to_the_property_rule() -> None:
    assert schema_rule_id("request-body", "max-set") == "request-body-max-set"
    assert schema_rule_id("request-body", "max-unset") == "request-property-max-unset"
    assert schema_rule_id("response-header", "max-set") == "response-property-max-set"
    assert schema_rule_id("request-parameter", "pattern-added") == "request-parameter-pattern-added"


def test_every_rule_is_on_the_side_its_id_says() -> None:
    for rule in RULES.values():
        if rule.id.startswith(("request-", "new-")) or "-request-" in rule.id:
            assert rule.side == "request", rule
        elif rule.id.startswith("response-") or "-response-" in rule.id:
            assert rule.side == "response", rule
        assert rule.why, rule


def test_the_verdicts_of_the_schema_rules_follow_the_side() -> None:
    """A request breaks when NEW accepts less, a response when NEW may send more."""
    expected = {
        "request-property-max-length-decreased": True,
        "request-property-max-length-increased": False,
        "request-property-min-increased": True,
        "request-property-min-items-decreased": False,
        "request-property-max-set": True,
        "request-property-min-unset": False,
        "request-property-pattern-generalized": False,
        "request-property-became-not-nullable": True,
        "response-property-max-length-increased": True,
        "response-property-max-length-decreased": False,
        "response-property-min-decreased": True,
        "response-property-min-items-increased": False,
        "response-property-max-unset": True,
        "response-property-min-set": False,
        "response-property-pattern-changed": True,
        "response-property-became-nullable": True,
        "response-header-became-not-nullable": False,
        "request-property-max-properties-decreased": True,
        "request-property-min-properties-decreased": False,
        "response-property-max-properties-increased": True,
        "response-property-min-properties-set": False,
        "request-additional-properties-disallowed": True,
        "request-additional-properties-allowed": False,
        "response-additional-properties-allowed": True,
        "response-additional-properties-disallowed": False,
    }
    assert {id: RULES[id].breaking for id in expected} == expected


def test_oasdiff_ids_are_marked_as_such() -> None:
    assert RULES["api-path-removed-without-deprecation"].oasdiff
    assert not RULES["api-security-updated"].oasdiff
    assert {rule.id for rule in RULES.values() if rule.oasdiff} == OASDIFF_IDS & set(RULES)
