"""The rules: one id per kind of change, named after oasdiff's check ids where oasdiff has one.

Each rule says which side of the exchange it concerns (what callers send, what they receive, or
the operation itself), whether it breaks a caller of the old contract, and why. Our verdicts
differ from oasdiff's default levels on purpose in two places the issue calls out: a new response
status and a new response enum value are breaking here (a generated client turns both into errors,
and info answers 503 for any auth status its contract does not list).
"""

from dataclasses import dataclass
from typing import Literal

Side = Literal["operation", "request", "response", "document"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    side: Side
    breaking: bool  # the default verdict; a change may say "not here" (e.g. a covered status)
    why: str  # why it breaks a caller, or why it does not

    @property
    def oasdiff(self) -> bool:
        """Whether oasdiff has a check of this id (otherwise it is ours, named in its style)."""
        return self.id in OASDIFF_IDS


RULES: dict[str, Rule] = {}


def _rule(id: str, side: Side, breaking: bool, why: str) -> None:
    RULES[id] = Rule(id, side, breaking, why)


def _schema_rule(stem: str, suffix: str, side: Side, breaking: bool, why: str) -> None:
    """A rule on a schema keyword. Stems other than `*-property` get an id only where oasdiff has
    one; elsewhere the checker falls back to the `*-property` id (see `schema_rule_id`)."""
    id = f"{stem}-{suffix}"
    if stem.endswith("-property") or id in OASDIFF_IDS:
        _rule(id, side, breaking, why)


def schema_rule_id(stem: str, suffix: str) -> str:
    id = f"{stem}-{suffix}"
    return id if id in RULES else f"{stem.split('-')[0]}-property-{suffix}"


# --- Operations ------------------------------------------------------------------------------
_rule(
    "api-path-removed-without-deprecation",
    "operation",
    True,
    "callers of every operation on this path get 404 (a renamed path is a removed one)",
)
_rule("api-removed-without-deprecation", "operation", True, "callers of this operation get 404 or 405")
_rule("endpoint-added", "operation", False, "a new operation: no existing caller uses it")
_rule(
    "api-operation-id-removed",
    "operation",
    True,
    "the operationId names the generated client's function: its callers no longer compile",
)
_rule("api-operation-id-added", "operation", False, "an operation that had no id gets one")
_rule("api-tag-removed", "operation", False, "a tag other than the first: the generated client does not move")
_rule("api-tag-added", "operation", False, "a tag other than the first: the generated client does not move")
_rule(
    "api-server-url-changed",
    "operation",
    True,
    "callers that build their base URL from the contract's servers call the old address",
)
_rule("api-server-added", "operation", False, "an extra server; the old ones still work")

# --- Security (request side: what callers must send) --------------------------------------------
_rule("api-security-added", "request", True, "callers that sent no credentials are now refused (401)")
_rule(
    "api-global-security-added",
    "request",
    True,
    "a document-wide requirement now applies here: callers without credentials are refused",
)
_rule("api-security-scope-added", "request", True, "callers' credentials lack the new scope")
_rule(
    "api-security-updated",
    "request",
    True,
    "callers satisfy the old requirement, not necessarily the new one",
)
_rule("api-security-removed", "request", False, "callers send credentials that are now optional")
_rule(
    "api-security-component-removed",
    "request",
    True,
    "a security scheme that operations used is gone: callers cannot authenticate as before",
)
_rule(
    "api-security-component-type-changed",
    "request",
    True,
    "callers send credentials in the old scheme's form (apiKey, http basic/bearer, oauth2...)",
)
_rule(
    "api-security-component-location-changed",
    "request",
    True,
    "callers send the key in the old header, query parameter or cookie, which is now ignored",
)

# --- Request: parameters --------------------------------------------------------------------------
_rule("new-required-request-parameter", "request", True, "callers do not send it: their requests are refused")
_rule("new-request-path-parameter", "request", True, "callers' URLs no longer match the path")
_rule("new-optional-request-parameter", "request", False, "callers may omit it")
_rule("request-parameter-became-required", "request", True, "callers that omit it are refused")
_rule("request-parameter-became-optional", "request", False, "callers that send it still may")
_rule(
    "request-parameter-removed",
    "request",
    True,
    "callers still send it: a strict server refuses it, a lenient one silently ignores it",
)

# --- Request: body ----------------------------------------------------------------------------------
_rule("request-body-added-required", "request", True, "callers send no body: they are refused")
_rule("request-body-added-optional", "request", False, "callers may keep sending no body")
_rule("request-body-became-required", "request", True, "callers that send no body are refused")
_rule("request-body-became-optional", "request", False, "callers that send a body still may")
_rule("request-body-removed", "request", True, "callers still send a body the operation refuses")
_rule(
    "request-body-media-type-removed",
    "request",
    True,
    "callers send this Content-Type: 415 Unsupported Media Type",
)
_rule("request-body-media-type-added", "request", False, "callers keep their media type")
_rule(
    "new-required-request-property", "request", True, "callers do not send it: their bodies fail validation"
)
_rule("new-optional-request-property", "request", False, "callers may omit it")
_rule("request-property-became-required", "request", True, "callers that omit it are refused")
_rule("request-property-became-optional", "request", False, "callers that send it still may")
_rule(
    "request-property-removed",
    "request",
    True,
    "callers still send it; breaking where the schema refuses unknown properties",
)
_rule(
    "request-additional-properties-disallowed",
    "request",
    True,
    "the schema now says `additionalProperties: false`: callers that send a property it does not "
    "list are refused",
)
_rule(
    "request-additional-properties-allowed",
    "request",
    False,
    "`additionalProperties: false` was dropped: callers' bodies are still accepted",
)

# --- Response: statuses, headers, media types -------------------------------------------------------
_rule(
    "response-success-status-removed",
    "response",
    True,
    "callers expect this success status and its body; they get another answer",
)
_rule(
    "response-success-status-added",
    "response",
    True,
    "a generated client has no model for it: callers get an error or an off-contract answer",
)
_rule(
    "response-non-success-status-added",
    "response",
    True,
    "a generated client treats an undocumented status as an error (info answers 503 for one from auth)",
)
_rule(
    "response-non-success-status-removed",
    "response",
    False,
    "callers' handling of it is simply no longer needed",
)
_rule("required-response-header-removed", "response", True, "callers read a header that may be absent")
_rule("optional-response-header-removed", "response", False, "callers already handle its absence")
_rule("response-header-became-optional", "response", True, "callers read a header that may be absent")
_rule("response-header-added", "response", False, "callers ignore headers they do not know")
_rule("response-media-type-removed", "response", True, "callers parse a media type no longer sent")
_rule(
    "response-media-type-name-changed",
    "response",
    True,
    "callers parse the old media type (Content-Type) and get another one",
)
_rule("response-media-type-added", "response", False, "callers keep getting the old media type too")

# --- Response: body properties ------------------------------------------------------------------------
_rule("response-required-property-removed", "response", True, "callers read a property that is gone")
_rule("response-optional-property-removed", "response", False, "callers already handle its absence")
_rule("response-property-became-optional", "response", True, "callers read a property that may now be absent")
_rule("response-property-became-required", "response", False, "callers get it more often")
_rule(
    "response-optional-property-added",
    "response",
    False,
    "the old schema allowed extra properties: callers ignore it",
)
_rule(
    "response-required-property-added",
    "response",
    False,
    "the old schema allowed extra properties: callers ignore it",
)
_rule(
    "response-closed-schema-property-added",
    "response",
    True,
    "the old schema said `additionalProperties: false`: strict callers (pydantic `extra=forbid`, "
    "generated from it) refuse the new property",
)
_rule(
    "response-additional-properties-allowed",
    "response",
    True,
    "the old schema said `additionalProperties: false`; now any property may come, and strict "
    "callers refuse it",
)
_rule(
    "response-additional-properties-disallowed",
    "response",
    False,
    "the schema now says `additionalProperties: false`: callers get only properties they know",
)

# --- Everything else ---------------------------------------------------------------------------
_rule(
    "documentation-changed",
    "document",
    False,
    "descriptions, summaries, examples, titles or tags: no caller depends on them",
)
_rule(
    "spec-changed",
    "document",
    False,
    "an edit no rule classifies as a change for callers (the order of a list, say)",
)

# The ids of our rules that oasdiff also has, read from its Go sources (checker/*.go) at commit
# 4553c69d3869ee555ee4f00831d8cca6e1c208ff; every other id above is ours, named in its style.
OASDIFF_IDS = frozenset(
    {
        "api-global-security-added",
        "api-operation-id-added",
        "api-operation-id-removed",
        "api-path-removed-without-deprecation",
        "api-removed-without-deprecation",
        "api-security-added",
        "api-security-component-removed",
        "api-security-component-type-changed",
        "api-security-removed",
        "api-security-scope-added",
        "api-tag-added",
        "api-tag-removed",
        "endpoint-added",
        "new-optional-request-parameter",
        "new-optional-request-property",
        "new-request-path-parameter",
        "new-required-request-parameter",
        "new-required-request-property",
        "optional-response-header-removed",
        "request-body-added-optional",
        "request-body-added-required",
        "request-body-became-enum",
        "request-body-dependent-required-added",
        "request-body-dependent-required-removed",
        "request-body-became-not-nullable",
        "request-body-became-nullable",
        "request-body-became-optional",
        "request-body-became-required",
        "request-body-enum-value-removed",
        "request-body-max-decreased",
        "request-body-max-increased",
        "request-body-max-length-decreased",
        "request-body-max-length-increased",
        "request-body-max-length-set",
        "request-body-max-set",
        "request-body-media-type-added",
        "request-body-media-type-removed",
        "request-body-min-decreased",
        "request-body-min-increased",
        "request-body-min-items-increased",
        "request-body-min-items-set",
        "request-body-min-length-decreased",
        "request-body-min-length-increased",
        "request-body-min-set",
        "request-body-removed",
        "request-body-type-changed",
        "request-body-type-generalized",
        "request-parameter-became-enum",
        "request-parameter-became-not-nullable",
        "request-parameter-became-nullable",
        "request-parameter-became-optional",
        "request-parameter-became-required",
        "request-parameter-enum-value-added",
        "request-parameter-enum-value-removed",
        "request-parameter-max-decreased",
        "request-parameter-max-increased",
        "request-parameter-max-items-decreased",
        "request-parameter-max-items-increased",
        "request-parameter-max-length-decreased",
        "request-parameter-max-length-increased",
        "request-parameter-max-length-set",
        "request-parameter-max-set",
        "request-parameter-min-decreased",
        "request-parameter-min-increased",
        "request-parameter-min-items-decreased",
        "request-parameter-min-items-increased",
        "request-parameter-min-items-set",
        "request-parameter-min-length-decreased",
        "request-parameter-min-length-increased",
        "request-parameter-min-set",
        "request-parameter-pattern-added",
        "request-parameter-pattern-changed",
        "request-parameter-pattern-generalized",
        "request-parameter-pattern-removed",
        "request-parameter-removed",
        "request-parameter-type-changed",
        "request-parameter-type-generalized",
        "request-property-became-enum",
        "request-property-dependent-required-added",
        "request-property-dependent-required-removed",
        "request-property-became-not-nullable",
        "request-property-became-nullable",
        "request-property-became-optional",
        "request-property-became-required",
        "request-property-enum-value-added",
        "request-property-enum-value-removed",
        "request-property-max-decreased",
        "request-property-max-increased",
        "request-property-max-length-decreased",
        "request-property-max-length-increased",
        "request-property-max-length-set",
        "request-property-max-set",
        "request-property-min-decreased",
        "request-property-min-increased",
        "request-property-min-items-increased",
        "request-property-min-items-set",
        "request-property-min-length-decreased",
        "request-property-min-length-increased",
        "request-property-min-set",
        "request-property-pattern-added",
        "request-property-pattern-changed",
        "request-property-pattern-generalized",
        "request-property-pattern-removed",
        "request-property-removed",
        "request-property-type-changed",
        "request-property-type-generalized",
        "required-response-header-removed",
        "response-body-became-not-nullable",
        "response-body-dependent-required-added",
        "response-body-dependent-required-removed",
        "response-body-became-nullable",
        "response-body-max-increased",
        "response-body-max-length-increased",
        "response-body-max-length-unset",
        "response-body-min-decreased",
        "response-body-min-items-decreased",
        "response-body-min-items-unset",
        "response-body-min-length-decreased",
        "response-body-type-changed",
        "response-body-type-specialized",
        "response-header-added",
        "response-header-became-not-nullable",
        "response-header-became-nullable",
        "response-header-became-optional",
        "response-header-type-changed",
        "response-header-type-specialized",
        "response-media-type-added",
        "response-media-type-name-changed",
        "response-media-type-removed",
        "response-non-success-status-added",
        "response-non-success-status-removed",
        "response-optional-property-added",
        "response-optional-property-removed",
        "response-property-became-not-nullable",
        "response-property-became-nullable",
        "response-property-became-optional",
        "response-property-became-required",
        "response-property-dependent-required-added",
        "response-property-dependent-required-removed",
        "response-property-enum-value-added",
        "response-property-enum-value-removed",
        "response-property-max-increased",
        "response-property-max-length-increased",
        "response-property-max-length-unset",
        "response-property-min-decreased",
        "response-property-min-items-decreased",
        "response-property-min-items-unset",
        "response-property-min-length-decreased",
        "response-property-pattern-added",
        "response-property-pattern-changed",
        "response-property-pattern-removed",
        "response-property-type-changed",
        "response-property-type-specialized",
        "response-required-property-added",
        "response-required-property-removed",
        "response-success-status-added",
        "response-success-status-removed",
    }
)


# --- Schemas: generated per side and place -----------------------------------------------------------
# The stem says where: request-parameter (a parameter's schema), request-body / request-property
# (the request body and the properties in it), response-body / response-property, response-header.
_REQUEST_STEMS = ("request-parameter", "request-body", "request-property")
_RESPONSE_STEMS = ("response-body", "response-property", "response-header")
# The limits on a value, and whether each is an upper or a lower one. `max` and `min` are the
# effective range, `maximum`/`exclusiveMaximum` (3.0's boolean form or 3.1's number) together.
_BOUNDS = (
    ("max-length", "upper"),
    ("max", "upper"),
    ("max-items", "upper"),
    ("max-properties", "upper"),
    ("min-length", "lower"),
    ("min", "lower"),
    ("min-items", "lower"),
    ("min-properties", "lower"),
)

for stem in _REQUEST_STEMS:
    _schema_rule(stem, "type-changed", "request", True, "callers send values of the old type, now refused")
    _schema_rule(stem, "type-generalized", "request", False, "callers' values are still accepted")
    _schema_rule(stem, "became-enum", "request", True, "callers send values outside the new list")
    _schema_rule(stem, "enum-value-removed", "request", True, "callers send the removed value")
    _schema_rule(stem, "enum-value-added", "request", False, "callers' values are still accepted")
    _schema_rule(stem, "pattern-added", "request", True, "callers send values the pattern refuses")
    _schema_rule(stem, "pattern-changed", "request", True, "callers send values the new pattern refuses")
    _schema_rule(stem, "pattern-generalized", "request", False, "the new pattern accepts everything")
    _schema_rule(stem, "pattern-removed", "request", False, "callers' values are still accepted")
    _schema_rule(stem, "became-not-nullable", "request", True, "callers that send null are refused")
    _schema_rule(stem, "became-nullable", "request", False, "callers' values are still accepted")
    _schema_rule(
        stem,
        "dependent-required-added",
        "request",
        True,
        "callers that send the one property without the other are refused",
    )
    _schema_rule(stem, "dependent-required-removed", "request", False, "callers' values are still accepted")
    for bound, kind in _BOUNDS:
        tighter, looser = ("decreased", "increased") if kind == "upper" else ("increased", "decreased")
        _schema_rule(stem, f"{bound}-{tighter}", "request", True, "callers send values now out of range")
        _schema_rule(stem, f"{bound}-set", "request", True, "callers send values now out of range")
        _schema_rule(stem, f"{bound}-{looser}", "request", False, "callers' values are still in range")
        _schema_rule(stem, f"{bound}-unset", "request", False, "callers' values are still in range")

for stem in _RESPONSE_STEMS:
    _schema_rule(stem, "type-changed", "response", True, "callers get values of a type they do not parse")
    _schema_rule(stem, "type-specialized", "response", False, "callers get a type they already parse")
    _schema_rule(stem, "became-nullable", "response", True, "callers get null where they expect a value")
    _schema_rule(stem, "became-not-nullable", "response", False, "callers no longer get null")
    _schema_rule(
        stem,
        "enum-value-added",
        "response",
        True,
        "callers (a generated Literal or enum) refuse a value outside the old list",
    )
    _schema_rule(stem, "enum-value-removed", "response", False, "callers never get the removed value")
    _schema_rule(
        stem, "pattern-removed", "response", True, "callers that validate get values outside the old pattern"
    )
    _schema_rule(
        stem, "pattern-changed", "response", True, "callers that validate get values outside the old pattern"
    )
    _schema_rule(stem, "pattern-added", "response", False, "callers get values they already accept")
    _schema_rule(
        stem, "dependent-required-added", "response", False, "callers get the other property more often"
    )
    _schema_rule(
        stem,
        "dependent-required-removed",
        "response",
        True,
        "callers that read the other property whenever the one comes may find it absent",
    )
    for bound, kind in _BOUNDS:
        wider, narrower = ("increased", "decreased") if kind == "upper" else ("decreased", "increased")
        _schema_rule(
            stem,
            f"{bound}-{wider}",
            "response",
            True,
            "callers that validate get values out of the old range",
        )
        _schema_rule(
            stem, f"{bound}-unset", "response", True, "callers that validate get values out of the old range"
        )
        _schema_rule(stem, f"{bound}-{narrower}", "response", False, "callers get values in the old range")
        _schema_rule(stem, f"{bound}-set", "response", False, "callers get values in the old range")
