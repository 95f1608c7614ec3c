"""The policy language's own problems, reported as lint findings.

The parser (`policy_engine.parse`) finds these; the linter does not run them as checks
but reports each located problem under the rule its code maps to, so a policy with a
typo is a finding in CI output rather than a crash, and the rule can be configured like
any other. Codes follow IAM Access Analyzer's where the check is the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policy_engine.errors import ProblemCode
from policy_engine.lint.rule import Hit, LintRule, LintTarget
from policy_engine.lint.severity import Severity

_GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
_ELEMENTS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html"
_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
_OPERATORS = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/"
              "reference_policies_elements_condition_operators.html")

# problem code -> (lint code, lint name, severity, page, what it means and how to fix it)
_TABLE: Final[dict[ProblemCode, tuple[str, str, Severity, str, str]]] = {
    ProblemCode.UNKNOWN_ELEMENT: (
        "INVALID_POLICY_ELEMENT", "invalid-policy-element", Severity.ERROR, _ELEMENTS,
        "An element name the policy language does not define (element names are "
        "case-sensitive). AWS refuses the policy. Fix the spelling or remove it."),
    ProblemCode.MISSING_ELEMENT: (
        "MISSING_ELEMENT", "missing-element", Severity.ERROR, _GRAMMAR,
        "A required element (Statement, Effect, Action or NotAction, Resource or "
        "NotResource, Principal where the kind needs one) is absent."),
    ProblemCode.FORBIDDEN_ELEMENT: (
        "UNSUPPORTED_ELEMENT", "unsupported-element", Severity.ERROR, _GRAMMAR,
        "An element this kind of policy does not take, such as a Principal in an "
        "identity policy or an Id in an SCP."),
    ProblemCode.CONFLICTING_ELEMENTS: (
        "UNSUPPORTED_ELEMENT_COMBINATION", "unsupported-element-combination",
        Severity.ERROR, _GRAMMAR,
        "Two elements that exclude each other in one statement (Action with NotAction, "
        "Resource with NotResource, Principal with NotPrincipal)."),
    ProblemCode.WRONG_TYPE: (
        "INVALID_JSON_TYPE", "invalid-json-type", Severity.ERROR, _GRAMMAR,
        "A value of the wrong JSON type (a number where a string is needed, an object "
        "where a list is)."),
    ProblemCode.EMPTY_VALUE: (
        "EMPTY_VALUE", "empty-value", Severity.ERROR, _GRAMMAR,
        "An empty string, list or object where the grammar needs a value."),
    ProblemCode.INVALID_VALUE: (
        "INVALID_VALUE", "invalid-value", Severity.ERROR, _GRAMMAR,
        "A value outside what the element accepts."),
    ProblemCode.INVALID_VERSION: (
        "INVALID_VERSION", "invalid-version", Severity.ERROR,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
        "Version must be `2012-10-17` (or the legacy `2008-10-17`)."),
    ProblemCode.INVALID_EFFECT: (
        "INVALID_EFFECT", "invalid-effect", Severity.ERROR,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html",
        "Effect must be exactly `Allow` or `Deny` (case-sensitive)."),
    ProblemCode.INVALID_ACTION: (
        "INVALID_ACTION", "invalid-action", Severity.ERROR,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "An action that is not `service:ActionName` (wildcards allowed) or `*`."),
    ProblemCode.INVALID_ARN: (
        "INVALID_ARN", "invalid-arn", Severity.ERROR,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
        "A resource or principal ARN that is not `arn:partition:service:region:account:"
        "resource`."),
    ProblemCode.INVALID_PRINCIPAL: (
        "INVALID_PRINCIPAL_FORMAT", "invalid-principal-format", Severity.ERROR,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        "A principal that is not an account, ARN, service, federated provider or "
        "canonical user AWS accepts in this place."),
    ProblemCode.INVALID_SID: (
        "INVALID_SID", "invalid-sid", Severity.ERROR,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
        "A Sid with characters the kind does not allow (IAM: ASCII letters and digits)."),
    ProblemCode.DUPLICATE_SID: (
        "UNIQUE_SIDS_REQUIRED", "unique-sids-required", Severity.ERROR,
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html",
        "Two statements with the same Sid where the kind needs them unique."),
    ProblemCode.UNKNOWN_OPERATOR: (
        "INVALID_CONDITION_OPERATOR", "invalid-condition-operator", Severity.ERROR,
        _OPERATORS, "A condition operator the policy language does not define."),
    ProblemCode.MALFORMED_CONDITION: (
        "INVALID_CONDITION", "invalid-condition", Severity.ERROR, _OPERATORS,
        "A condition block of the wrong shape, or a value the operator cannot take."),
    ProblemCode.KIND_RESTRICTION: (
        "UNSUPPORTED_FOR_KIND", "unsupported-for-kind", Severity.ERROR, _GRAMMAR,
        "Something this kind of policy does not allow (an RCP Allow other than the full-"
        "access statement, NotPrincipal with Allow, a wildcard an SCP refuses)."),
    ProblemCode.OVERSIZE: (
        "POLICY_SIZE_EXCEEDED", "policy-size-exceeded", Severity.ERROR, _QUOTAS,
        "The policy is larger than the kind's size quota, counted the way AWS counts it."),
    ProblemCode.INVALID_CHARACTER: (
        "INVALID_CHARACTER", "invalid-character", Severity.ERROR, _GRAMMAR,
        "A character outside what IAM policy text allows."),
    ProblemCode.DUPLICATE_KEY: (
        "DUPLICATE_KEY", "duplicate-key", Severity.ERROR, _GRAMMAR,
        "The same key twice in one object; parsers disagree on which one wins."),
    ProblemCode.TOO_DEEP: (
        "TOO_DEEP", "too-deep", Severity.ERROR, _GRAMMAR,
        "The document nests deeper than any policy can."),
    ProblemCode.UNUSUAL_ACTION: (
        "UNUSUAL_ACTION", "unusual-action", Severity.WARNING, _ELEMENTS,
        "An action string outside the grammar that AWS evidently stores (a space, a "
        "hyphen); it matches only that exact text, so it likely grants nothing."),
    ProblemCode.UNUSUAL_CONDITION_KEY: (
        "UNUSUAL_CONDITION_KEY", "unusual-condition-key", Severity.WARNING, _ELEMENTS,
        "A condition key outside the grammar that AWS evidently stores; no request "
        "carries it, so the condition reads it as absent."),
}

# Anything else the parser reports (its own bugs included) is an error of this rule.
_FALLBACK = ("POLICY_ERROR", "policy-error", Severity.ERROR, _GRAMMAR,
             "A problem the policy language layer found that has no rule of its own.")


def _make(code: str, name: str, severity: Severity, page: str, text: str) -> LintRule:
    def from_parser(target: LintTarget) -> Iterator[Hit]:
        yield from ()

    from_parser.__doc__ = (f"{text}\n\nFound by the policy parser, the same check as "
                           f"`policy-engine validate`; see {page}")
    return LintRule(code, name, severity, from_parser, help_uri=page, summary=text)


GRAMMAR_RULES: Final = {problem: _make(*row) for problem, row in _TABLE.items()}
FALLBACK_RULE: Final = _make(*_FALLBACK)
# Access Analyzer's own error for one refused operator: `Null` with `IfExists`.
NULL_WITH_IF_EXISTS_RULE: Final = _make(
    "NULL_WITH_IF_EXISTS", "null-with-if-exists", Severity.ERROR,
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
    "#access-analyzer-reference-policy-checks-error-null-with-if-exists",
    "The `Null` operator with the `IfExists` suffix (`NullIfExists`). `Null` tests whether "
    "the key is present; `IfExists` makes a condition true when the key is absent, so the "
    "two cannot combine and AWS refuses the operator. Use `Null` alone.")
RULES: Final = (*GRAMMAR_RULES.values(), NULL_WITH_IF_EXISTS_RULE, FALLBACK_RULE)


def rule_for_problem(code: str, pointer: str = "") -> LintRule:
    """The rule of a parser problem; `pointer` (where it is) refines the operator one."""
    try:
        problem = ProblemCode(code)
    except ValueError:
        return FALLBACK_RULE
    if problem is ProblemCode.UNKNOWN_OPERATOR and _is_null_if_exists(pointer):
        return NULL_WITH_IF_EXISTS_RULE
    return GRAMMAR_RULES.get(problem, FALLBACK_RULE)


def _is_null_if_exists(pointer: str) -> bool:
    """Whether the pointer's last token is a `Null…IfExists` operator (any qualifier)."""
    operator = pointer.rpartition("/")[2].replace("~1", "/").replace("~0", "~")
    return operator.rpartition(":")[2] == "NullIfExists"
