"""Rules about `Condition` blocks: operators, keys, and each operator's value rules.

The operators and their value rules come from `policy_engine.model.operators`, the table
the engine compiles from, so the validator accepts exactly what the evaluator implements.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from policy_engine.errors import join_pointer
from policy_engine.model.kinds import CONDITION_KEY, KindRules, Quotas
from policy_engine.model.oddities import condition_key_oddity
from policy_engine.model.operators import (
    OPERATORS,
    OperatorError,
    OperatorSpec,
    parse_operator,
    value_problem,
)
from policy_engine.model.values import canonical_text
from policy_engine.model.variables import variable_problem
from policy_engine.pydantic_errors import describe_value
from policy_engine.validation.view import (
    Finding,
    StatementView,
    is_scalar_or_scalars,
    items,
    scalar_items,
)
from policy_engine.validation.wording import clip

_CONDITION_KEY = re.compile(CONDITION_KEY)


def condition_block(statement: StatementView, rules: KindRules,
                    quotas: Quotas) -> Iterator[Finding]:
    """Each operator, each of its keys, and the values under each key."""
    block = statement.body.get("Condition")
    if not isinstance(block, dict):
        return  # absent, or a type the model reports
    variables = statement.document.variables
    for operator, keys in block.items():
        op_pointer = join_pointer(statement.at("Condition"), operator)
        try:
            parsed = parse_operator(operator)
        except OperatorError as error:
            yield Finding("unknown-operator", _operator_message(error), op_pointer)
            continue
        if not isinstance(keys, dict):
            continue  # pydantic reports the type
        if not keys:
            yield Finding("empty-value", f"`{operator}` names no condition key", op_pointer)
        for key, values in keys.items():
            key_pointer = join_pointer(op_pointer, key)
            if not _CONDITION_KEY.fullmatch(key) and not (
                    rules.stored and condition_key_oddity(key) is not None):
                yield Finding("malformed-condition", f"`{clip(key)}` is not a condition key "
                              "(expected `prefix:name`, e.g. `aws:SourceIp`)", key_pointer)
            elif isinstance(values, list) and not values:
                yield Finding("empty-value", f"`{key}` under `{operator}` has no values",
                              key_pointer)
            elif is_scalar_or_scalars(values):
                yield from _condition_values(parsed.spec, operator, values, key_pointer,
                                             variables)


def _condition_values(spec: OperatorSpec, operator: str, values: Any, pointer: str,
                      variables: bool) -> Iterator[Finding]:
    """The operator table's value rules, the ones the engine compiles by."""
    text_only = spec.values.text_only
    if text_only:
        for item_pointer, item in scalar_items(values, pointer):
            if not isinstance(item, str):
                yield Finding("malformed-condition", f"`{operator}` takes text values "
                              f"({text_only}), not {describe_value(item)}", item_pointer)
                return
    if variables:
        for item_pointer, text in items(values, pointer):
            message = variable_problem(text)
            if message:
                yield Finding("malformed-condition", message, item_pointer)
                return
    texts = tuple(canonical_text(item) for _, item in scalar_items(values, pointer))
    message = value_problem(spec, texts, variables_enabled=variables)
    if message:
        yield Finding("malformed-condition", message, pointer)


def _operator_message(error: OperatorError) -> str:
    """The operator error, with the nearest known operator when one is close."""
    message = error.message
    base = error.written.rpartition(":")[2].removesuffix("IfExists")
    close = difflib.get_close_matches(base, list(OPERATORS), n=1, cutoff=0.75)
    if close and close[0] != base:
        message += f" (did you mean `{close[0]}`?)"
    return message
