"""Pydantic models of an IAM policy document: the strict external form.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
and the element pages linked from reference_policies_elements.html.
String-or-list shapes are normalised once, here, into tuples.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    model_validator,
)

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


def _one_or_many(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


def _principal_kind(value: Any) -> str:
    return "wildcard" if isinstance(value, str) else "map"


def _condition_values(value: Any) -> Any:
    return (value,) if isinstance(value, str | bool | int | float) else value


StrTuple = Annotated[tuple[str, ...], BeforeValidator(_one_or_many), Field(min_length=1)]
# Strict scalars: in lax mode `bool` would swallow the numbers 0 and 1 (and 1.0), so a
# `NumericEquals` value of 1 would become `true`.
ConditionScalar = Annotated[
    StrictStr | StrictBool | StrictInt | StrictFloat, Field(union_mode="left_to_right")
]
ConditionValue = Annotated[tuple[ConditionScalar, ...], BeforeValidator(_condition_values)]
ConditionBlock = dict[str, dict[str, ConditionValue]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=False)


class PrincipalMap(_Strict):
    """`{"AWS": ..., "Service": ..., "Federated": ..., "CanonicalUser": ...}`."""

    aws: StrTuple | None = Field(None, alias="AWS")
    service: StrTuple | None = Field(None, alias="Service")
    federated: StrTuple | None = Field(None, alias="Federated")
    canonical_user: StrTuple | None = Field(None, alias="CanonicalUser")

    @model_validator(mode="after")
    def _not_empty(self) -> PrincipalMap:
        if not (self.aws or self.service or self.federated or self.canonical_user):
            raise ValueError("a principal block names no AWS, Service, Federated or "
                             "CanonicalUser principal")
        return self

    @property
    def is_everyone(self) -> bool:
        return self.aws is not None and "*" in self.aws


PrincipalSpec = Annotated[
    Annotated[Literal["*"], Tag("wildcard")] | Annotated[PrincipalMap, Tag("map")],
    Discriminator(_principal_kind),
]


class Statement(_Strict):
    sid: str | None = Field(None, alias="Sid")
    effect: Literal["Allow", "Deny"] = Field(alias="Effect")
    principal: PrincipalSpec | None = Field(None, alias="Principal")
    not_principal: PrincipalSpec | None = Field(None, alias="NotPrincipal")
    action: StrTuple | None = Field(None, alias="Action")
    not_action: StrTuple | None = Field(None, alias="NotAction")
    resource: StrTuple | None = Field(None, alias="Resource")
    not_resource: StrTuple | None = Field(None, alias="NotResource")
    condition: ConditionBlock | None = Field(None, alias="Condition")

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"


def _statements(value: Any) -> Any:
    return (value,) if isinstance(value, dict) else value


class PolicyDocument(_Strict):
    version: Literal["2012-10-17", "2008-10-17"] | None = Field(None, alias="Version")
    id: str | None = Field(None, alias="Id")
    statement: Annotated[tuple[Statement, ...], BeforeValidator(_statements)] = Field(
        alias="Statement"
    )

    @property
    def statements(self) -> tuple[Statement, ...]:
        return self.statement

    @property
    def variables_enabled(self) -> bool:
        """Policy variables exist only under Version 2012-10-17 (variables page)."""
        return self.version == VERSION_2012
