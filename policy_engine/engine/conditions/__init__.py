"""Condition operators: compile a policy's Condition block once, evaluate it per request.

One module per operator family (`string`, `numeric`, `date`, `boolean`, `binary`, `ip`,
`arn`, `null`), the family -> matcher table in `registry`, and the modifiers shared by
every family (negation, `...IfExists`, `ForAllValues:`/`ForAnyValue:`) in `block`. The
operators themselves are data in `policy_engine.model.operators`.
"""

from policy_engine.engine.conditions.base import (
    ConditionCompileError,
    ConditionFailure,
    ConditionResult,
    Reason,
)
from policy_engine.engine.conditions.block import (
    CompiledConditionBlock,
    compile_condition_block,
    parse_operator,
)
from policy_engine.engine.conditions.registry import MATCHERS, matcher_factory

__all__ = [
    "MATCHERS",
    "CompiledConditionBlock",
    "ConditionCompileError",
    "ConditionFailure",
    "ConditionResult",
    "Reason",
    "compile_condition_block",
    "matcher_factory",
    "parse_operator",
]
