"""A whole Condition block, and the modifiers every family shares, handled here once.

Sources (IAM-UG/…):
- reference_policies_condition-logic-multiple-context-keys-or-values.html: operators AND,
  keys under one operator AND, values of one key OR, NOR under a negated operator.
- reference_policies_elements_condition_operators.html: a missing key makes positive
  operators false and negated ones true; `...IfExists` makes a missing key true; `Null`
  takes no `IfExists`.
- reference_policies_condition-single-vs-multi-valued-context-keys.html: `ForAllValues`
  (every request value matches; true when the key is missing or its value set is empty, an
  empty string included) and `ForAnyValue` (some request value matches; false when missing
  or empty).
- reference_policies_variables.html: an unresolvable variable matches nothing, so positive
  operators fail on it and negated ones hold.

Two cases AWS leaves open are decided conservatively: a multivalued request value under an
operator without a set qualifier, and a request value the operator cannot parse (a
non-number for Numeric*, say). The condition then holds only in a Deny statement, so the
ambiguity can never grant access but a Deny still denies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policy_engine.engine.conditions.base import (
    ConditionCompileError,
    ConditionFailure,
    ConditionResult,
    InvalidPolicyValue,
    Matcher,
    Outcome,
    Reason,
)
from policy_engine.engine.conditions.null import compile_null
from policy_engine.engine.conditions.registry import matcher_factory
from policy_engine.engine.context import ContextValue, RequestContext
from policy_engine.memo import BoundedMemo
from policy_engine.model.operators import OperatorError, ParsedOperator, SetQualifier
from policy_engine.model.operators import parse_operator as parse_written_operator
from policy_engine.model.values import canonical_text
from policy_engine.model.variables import compile_template

PolicyValue = str | bool | int | float
ConditionBlock = Mapping[str, Mapping[str, Sequence[PolicyValue]]]

_MEMO_LIMIT = 1024

Verdict = tuple[bool, Reason]
ValueMemo = BoundedMemo[str, Verdict]  # one condition's verdict per request value

# (outcome for one request value, negated operator) -> verdict for that value.
_VALUE_VERDICTS: Mapping[tuple[Outcome, bool], Verdict] = {
    (Outcome.MATCHED, False): (True, Reason.MATCHED),
    (Outcome.NOT_MATCHED, False): (False, Reason.NO_VALUE_MATCHED),
    (Outcome.VARIABLE_MISSING, False): (False, Reason.VARIABLE_MISSING),
    (Outcome.MATCHED, True): (False, Reason.NEGATED_VALUE_MATCHED),
    (Outcome.NOT_MATCHED, True): (True, Reason.MATCHED),
    (Outcome.VARIABLE_MISSING, True): (True, Reason.VARIABLE_MISSING),
}
_DECIDED = (Outcome.MATCHED, Outcome.NOT_MATCHED, Outcome.VARIABLE_MISSING)  # index = value

# "If the key values in the request resolve to an empty data set (for example, an empty
# string)" ForAllValues returns true and ForAnyValue false (reference_policies_multi-value-
# conditions.html, 2023 text; the current page says "empty" without the example).
_EMPTY_DATA_SETS = frozenset({(), ("",)})


def parse_operator(written: str) -> ParsedOperator:
    """The model's operator syntax, failing as a `ConditionCompileError` for the compiler."""
    try:
        return parse_written_operator(written)
    except OperatorError as error:
        raise ConditionCompileError(error.message, written) from None


def _missing_verdict(parsed: ParsedOperator) -> Verdict:
    if parsed.if_exists:
        return True, Reason.KEY_MISSING_IFEXISTS
    if parsed.set_qualifier is SetQualifier.FOR_ALL_VALUES:
        return True, Reason.KEY_MISSING_FORALLVALUES
    if parsed.set_qualifier is SetQualifier.FOR_ANY_VALUE:
        return False, Reason.KEY_MISSING
    return parsed.spec.negated, Reason.KEY_MISSING


class OperatorCondition:
    """One (operator, key) pair of any family but Null."""

    __slots__ = (
        "_deny_statement",
        "_for_all",
        "_matcher",
        "_missing",
        "_set_qualifier",
        "_verdicts",
        "key",
        "lookup_key",
        "operator",
        "policy_values",
        "remembers",
    )

    def __init__(
        self,
        parsed: ParsedOperator,
        key: str,
        policy_values: tuple[str, ...],
        matcher: Matcher,
        *,
        deny_statement: bool,
    ) -> None:
        self.operator = parsed.written
        self.key = key
        self.lookup_key = key.lower()
        self.policy_values = policy_values
        self._matcher = matcher
        negated = parsed.spec.negated
        self._verdicts = tuple(_VALUE_VERDICTS[outcome, negated] for outcome in _DECIDED)
        self._set_qualifier = parsed.set_qualifier
        self._for_all = parsed.set_qualifier is SetQualifier.FOR_ALL_VALUES
        self._missing = _missing_verdict(parsed)
        self._deny_statement = deny_statement
        # Without policy variables the verdict for one request value never changes, so an
        # evaluator may remember it (request values repeat: the same IPs, tags, MFA flags).
        self.remembers = not getattr(matcher, "templates", ())

    def evaluate(self, context: RequestContext, memo: ValueMemo | None = None) -> Verdict:
        """The verdict for the request; `memo` (only for a condition that `remembers`)
        holds verdicts per single request value."""
        value = context.get(self.lookup_key)
        if value is None:
            return self._missing
        if self._set_qualifier is None:
            if value.is_multi:
                return self._deny_statement, Reason.MULTIVALUED_WITHOUT_SET_OPERATOR
            if len(value.values) != 1:
                return self._missing
            return self._single(value.values[0], context, memo)
        if value.values in _EMPTY_DATA_SETS:
            return self._missing
        return self._set(value.values, context)

    def _single(self, request_value: str, context: RequestContext,
                memo: ValueMemo | None) -> Verdict:
        if memo is not None:
            known = memo.get(request_value)
            if known is not None:
                return known
        outcome = self._matcher.match(request_value, context)
        if outcome is Outcome.UNPARSABLE:
            verdict: Verdict = (self._deny_statement, Reason.UNPARSABLE_REQUEST_VALUE)
        else:
            verdict = self._verdicts[outcome]
        if memo is not None:
            memo.put(request_value, verdict)
        return verdict

    def _set(self, request_values: tuple[str, ...], context: RequestContext) -> Verdict:
        match, verdicts = self._matcher.match, self._verdicts
        per_value: list[Verdict] = []
        for request_value in request_values:
            outcome = match(request_value, context)
            if outcome is Outcome.UNPARSABLE:
                return self._deny_statement, Reason.UNPARSABLE_REQUEST_VALUE
            per_value.append(verdicts[outcome])
        # ForAllValues: every value must hold; ForAnyValue: one value must hold.
        decisive = next((v for v in per_value if v[0] is not self._for_all), None)
        if decisive is not None:
            return decisive
        variable_missing = any(reason is Reason.VARIABLE_MISSING for _, reason in per_value)
        return self._for_all, Reason.VARIABLE_MISSING if variable_missing else per_value[0][1]


class NullCondition:
    """`Null`: holds when the key's absence is one of the accepted answers."""

    __slots__ = ("_accepted", "key", "lookup_key", "operator", "policy_values")

    def __init__(self, operator: str, key: str, policy_values: tuple[str, ...]) -> None:
        self.operator = operator
        self.key = key
        self.lookup_key = key.lower()
        self.policy_values = policy_values
        self._accepted = compile_null(policy_values)

    def evaluate(self, context: RequestContext, memo: ValueMemo | None = None) -> Verdict:
        value = context.get(self.lookup_key)
        absent = value is None or not value.values
        return absent in self._accepted, Reason.NULL_CHECK


CompiledCondition = OperatorCondition | NullCondition


class CompiledConditionBlock:
    """A Condition block ready to evaluate; every condition must hold (AND)."""

    __slots__ = ("conditions", "keys", "variable_keys")

    def __init__(self, conditions: tuple[CompiledCondition, ...], variable_keys: tuple[str, ...]):
        self.conditions = conditions
        self.keys: tuple[str, ...] = tuple(dict.fromkeys(c.lookup_key for c in conditions))
        self.variable_keys = variable_keys  # lower-cased keys read through `${...}`

    def holds(self, context: RequestContext) -> bool:
        """Hot path: whether every condition holds, without building results."""
        # A plain loop: all() over a generator costs a frame per call on this hot path.
        for condition in self.conditions:  # noqa: SIM110
            if not condition.evaluate(context)[0]:
                return False
        return True

    def remembering(self) -> CompiledConditionBlock | RememberingConditions:
        """This block with fresh memos for an evaluator to keep (itself when no condition
        can remember a verdict)."""
        if any(isinstance(c, OperatorCondition) and c.remembers for c in self.conditions):
            return RememberingConditions(self)
        return self

    def first_failure(self, context: RequestContext) -> ConditionFailure | None:
        """None when every condition holds, else the first that does not."""
        for condition in self.conditions:
            holds, reason = condition.evaluate(context)
            if not holds:
                return _result(condition, context, holds, reason)
        return None

    def explain(self, context: RequestContext) -> tuple[ConditionResult, ...]:
        """Every (operator, key) pair with its result."""
        return tuple(_result(c, context, *c.evaluate(context)) for c in self.conditions)

    def __repr__(self) -> str:
        pairs = ", ".join(f"{c.operator}:{c.key}" for c in self.conditions)
        return f"CompiledConditionBlock({pairs})"


class RememberingConditions:
    """A condition block with an evaluator's memos: each remembering condition's verdict
    per request value. Decides exactly as the block does."""

    __slots__ = ("_pairs", "block")

    def __init__(self, block: CompiledConditionBlock) -> None:
        self.block = block
        self._pairs: tuple[tuple[CompiledCondition, ValueMemo | None], ...] = tuple(
            (c, BoundedMemo(_MEMO_LIMIT)
             if isinstance(c, OperatorCondition) and c.remembers else None)
            for c in block.conditions)

    def holds(self, context: RequestContext) -> bool:
        for condition, memo in self._pairs:  # noqa: SIM110 - a plain loop, as above
            if not condition.evaluate(context, memo)[0]:
                return False
        return True


def _result(
    condition: CompiledCondition, context: RequestContext, holds: bool, reason: Reason
) -> ConditionResult:
    value: ContextValue | None = context.get(condition.lookup_key)
    return ConditionResult(
        operator=condition.operator,
        key=condition.key,
        policy_values=condition.policy_values,
        request_values=None if value is None else value.values,
        holds=holds,
        reason=str(reason),
    )


def compile_condition_block(
    block: ConditionBlock, *, variables_enabled: bool, deny_statement: bool
) -> CompiledConditionBlock:
    """Compile operator -> key -> values; raises `ConditionCompileError` on bad input."""
    conditions: list[CompiledCondition] = []
    variable_keys: list[str] = []
    for written_operator, keyed_values in block.items():
        parsed = parse_operator(written_operator)
        for key, raw_values in keyed_values.items():
            values = _policy_texts(raw_values)
            try:
                conditions.append(
                    _compile_condition(parsed, key, values, variables_enabled, deny_statement)
                )
            except InvalidPolicyValue as error:
                raise ConditionCompileError(str(error), written_operator, key) from error
            if variables_enabled and parsed.spec.allows_variables:
                variable_keys.extend(_variable_keys(values))
    return CompiledConditionBlock(tuple(conditions), tuple(dict.fromkeys(variable_keys)))


def _compile_condition(
    parsed: ParsedOperator,
    key: str,
    values: tuple[str, ...],
    variables_enabled: bool,
    deny_statement: bool,
) -> CompiledCondition:
    spec = parsed.spec
    if variables_enabled and not spec.allows_variables:
        with_variable = next((v for v in values if "${" in v), None)
        if with_variable is not None:
            raise InvalidPolicyValue(
                f"policy variables cannot be used with `{spec.name}`: `{with_variable}`"
            )
    factory = matcher_factory(spec)
    if factory is None:
        return NullCondition(parsed.written, key, values)
    matcher = factory(values, variables_enabled)
    return OperatorCondition(parsed, key, values, matcher, deny_statement=deny_statement)


def _policy_texts(raw: Sequence[PolicyValue] | PolicyValue) -> tuple[str, ...]:
    # The model normalises values to tuples; a bare scalar must not be iterated as characters.
    if isinstance(raw, str | bool | int | float):
        return (canonical_text(raw),)
    return tuple(canonical_text(value) for value in raw)


def _variable_keys(values: tuple[str, ...]) -> list[str]:
    keys: list[str] = []
    for value in values:
        keys.extend(compile_template(value, variables_enabled=True).variable_keys)
    return keys
