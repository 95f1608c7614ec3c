"""Condition operators: compile a policy's Condition block once, evaluate it per request.

One module per operator family (`string`, `numeric`, `date`, `boolean`, `binary`, `ip`,
`arn`, `null`), the operator registry in `registry`, and the modifiers shared by every
family (negation, `...IfExists`, `ForAllValues:`/`ForAnyValue:`) in `block`.
"""

from policy_engine.engine.conditions.base import (
    ConditionCompileError,
    ConditionFailure,
    ConditionResult,
    Family,
    Reason,
    SetQualifier,
)
from policy_engine.engine.conditions.block import (
    CompiledConditionBlock,
    ParsedOperator,
    compile_condition_block,
    parse_operator,
)
from policy_engine.engine.conditions.registry import OPERATOR_FAMILIES, OPERATORS, OperatorSpec

__all__ = [
    "OPERATORS",
    "OPERATOR_FAMILIES",
    "CompiledConditionBlock",
    "ConditionCompileError",
    "ConditionFailure",
    "ConditionResult",
    "Family",
    "OperatorSpec",
    "ParsedOperator",
    "Reason",
    "SetQualifier",
    "compile_condition_block",
    "parse_operator",
]
