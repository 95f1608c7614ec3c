"""The pydantic policy model: normalisation of string-or-list shapes and condition values."""

from __future__ import annotations

import pytest

from policy_engine.model.policy import PolicyDocument, PrincipalMap


def document(**statement: object) -> PolicyDocument:
    body = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **statement}
    return PolicyDocument.model_validate({"Version": "2012-10-17", "Statement": body})


def test_single_values_become_tuples_once() -> None:
    """Elements that take a list also take a single string; Statement may be one object.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    parsed = document(Principal={"AWS": "123456789012"})
    statement = parsed.statements[0]
    assert statement.action == ("s3:GetObject",) and statement.resource == ("*",)
    assert isinstance(statement.principal, PrincipalMap)
    assert statement.principal.aws == ("123456789012",)
    assert document(Principal="*").statements[0].principal == "*"
    assert parsed.variables_enabled


@pytest.mark.parametrize(("written", "kept"), [
    (1, (1,)), (0, (0,)), (1.0, (1.0,)), (2.5, (2.5,)), (True, (True,)), ("1", ("1",)),
    ([1, "true", False, 0], (1, "true", False, 0)),
])
def test_condition_values_keep_their_json_type(written: object, kept: tuple) -> None:
    """Condition values are strings, numbers or Booleans; `NumericEquals: 1` must stay the
    number 1 (lax pydantic would read 0 and 1 as false and true).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    """
    parsed = document(Condition={"NumericEquals": {"s3:max-keys": written}})
    values = parsed.statements[0].condition["NumericEquals"]["s3:max-keys"]
    assert values == kept
    assert [type(v) for v in values] == [type(v) for v in kept]
