"""The changelog (`tools/compat/changelog.py`), rendered in-process: every line, in order."""

import copy
from pathlib import Path
from typing import Any

from tools.compat import compare, load
from tools.compat.changelog import render, who
from tools.compat.checker import Change, Operation
from tools.compat.consumers import Consumer, consumers_of
from tools.compat.rules import RULES
from tools.compat.spec import Spec, parse

CORPUS = Path(__file__).resolve().parent / "corpus"
OLD = CORPUS / "auth.yaml"


def edited(edit: Any, version: str = "2.0.0") -> Spec:
    """auth as released at 1.0.0, edited, placed at corpus/new/auth.yaml."""
    document = copy.deepcopy(load(OLD).document)
    edit(document)
    document["info"]["version"] = version
    return parse(document, CORPUS / "new" / "auth.yaml")


def four_changes(document: dict[str, Any]) -> None:
    """Two breaking (a server moved, a 429 on login), two not (the new server, a new endpoint)."""
    document["servers"][0]["url"] = "/auth"
    document["paths"]["/login/"]["post"]["responses"]["429"] = {"$ref": "#/components/responses/BadRequest"}
    document["paths"]["/version"] = {
        "get": {"operationId": "version", "responses": {"204": {"description": "-"}}}
    }


def test_the_changelog_lists_breaking_changes_first_each_with_where_what_why_and_who() -> None:
    report = compare(load(OLD), edited(four_changes))
    assert render(report, consumers_of("auth"), CORPUS.parent) == [
        "corpus/auth.yaml (1.0.0) -> corpus/new/auth.yaml (2.0.0)",
        "  2 breaking, 2 not breaking",
        "  BREAKING api-server-url-changed [operation]",
        "           at:   servers",
        "           what: server / is now /auth",
        "           why:  callers that build their base URL from the contract's servers call the old address",
        "           who:  every caller (it is not about one operation)",
        "  BREAKING response-non-success-status-added [response]",
        "           at:   POST /login/ response 429",
        "           what: added the response 429",
        "           why:  a generated client treats an undocumented status as an error "
        "(info answers 503 for one from auth)",
        "           who:  breaks info, which calls login (POST /login/)",
        "  ok       api-server-added [operation]",
        "           at:   servers",
        "           what: added the server /auth",
        "           why:  an extra server; the old ones still work",
        "  ok       endpoint-added [operation]",
        "           at:   GET /version",
        "           what: added GET /version",
        "           why:  a new operation: no existing caller uses it",
    ]


def test_a_change_that_breaks_nothing_has_no_who_line() -> None:
    new = edited(lambda d: d["paths"]["/login/"]["post"].__setitem__("summary", "Is this token valid?"))
    lines = render(compare(load(OLD), new), consumers_of("auth"), CORPUS.parent)
    assert lines == [
        "corpus/auth.yaml (1.0.0) -> corpus/new/auth.yaml (2.0.0)",
        "  0 breaking, 1 not breaking",
        "  ok       documentation-changed [document]",
        "           at:   documentation",
        "           what: 1 place: #/paths/~1login~1/post/summary",
        f"           why:  {RULES['documentation-changed'].why}",
    ]


def test_no_change_but_the_version_is_no_changes() -> None:
    report = compare(load(OLD), edited(lambda d: None, "1.0.1"))
    assert render(report, [], CORPUS.parent) == [
        "corpus/auth.yaml (1.0.0) -> corpus/new/auth.yaml (1.0.1)",
        "  no changes",
    ]


def test_paths_are_shown_whole_without_a_root_or_outside_it(tmp_path: Path) -> None:
    report = compare(load(OLD), load(OLD))
    whole = f"{OLD} (1.0.0) -> {OLD} (1.0.0)"
    assert render(report, [])[0] == whole
    assert render(report, [], tmp_path)[0] == whole
    assert render(report, [], CORPUS)[0] == "auth.yaml (1.0.0) -> auth.yaml (1.0.0)"


LOGIN = Operation("POST", "/login/", "login")
READYZ = Operation("GET", "/readyz", None)


def change(*operations: Operation) -> Change:
    rule = RULES["response-non-success-status-added"]
    return Change(rule, "somewhere", "something", operations, True)


def test_who_names_every_consumer_hit_and_each_operation_it_calls() -> None:
    info = Consumer("info", frozenset({"login", "get_readyz"}))
    admin = Consumer("admin", frozenset({"login"}))
    other = Consumer("other", frozenset({"version"}))
    assert who(change(LOGIN, READYZ), [info, other, admin]) == (
        "breaks info, which calls login (POST /login/), GET /readyz; admin, which calls login (POST /login/)"
    )


def test_who_names_the_consumers_that_do_not_call_it() -> None:
    one, two = Consumer("one", frozenset({"version"})), Consumer("two", frozenset())
    assert who(change(LOGIN), [one, two]) == "breaks only outside callers (one, two does not call it)"


def test_a_consumer_that_imports_a_whole_tag_calls_everything() -> None:
    assert who(change(READYZ), [Consumer("info", frozenset({"*"}))]) == "breaks info, which calls GET /readyz"
