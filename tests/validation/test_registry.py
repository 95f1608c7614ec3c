"""The rule table: every rule registered once, by name, and run in the order it lists."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re

import policy_engine.validation as validation
from policy_engine.model.kinds import DEFAULT_QUOTAS, PolicyKind, rules_for
from policy_engine.parse import validate_policy
from policy_engine.validation import RULES, WARNINGS, DocumentView, Finding, Scope

_NOT_RULES = {"registry", "view", "wording"}  # the table itself, and what rules share


def test_rule_names_are_unique_and_kebab_case() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in names)


def test_every_public_rule_function_is_in_the_table() -> None:
    registered = {rule.check for rule in (*RULES, *WARNINGS)}
    for info in pkgutil.iter_modules(validation.__path__):
        if info.name in _NOT_RULES:
            continue
        module = importlib.import_module(f"{validation.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if name in {"measure_size", "is_rcp_full_access"}:  # helpers, not rules
                continue
            assert function in registered, f"{module.__name__}.{name} is not in RULES"


def test_rules_are_pure_functions_of_their_view() -> None:
    raw = {"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"},
        {"Sid": "A", "Effect": "Allow", "NotAction": "bad", "Principal": "x"},
    ]}
    view = DocumentView(raw, json.dumps(raw))
    rules = rules_for(PolicyKind.IDENTITY)
    for rule in RULES:
        targets = view.statements if rule.scope is Scope.STATEMENT else (view,)
        for target in targets:
            first = list(rule.check(target, rules, DEFAULT_QUOTAS))
            assert first == list(rule.check(target, rules, DEFAULT_QUOTAS))
            assert all(isinstance(finding, Finding) for finding in first)


def test_an_earlier_rule_wins_at_a_shared_pointer() -> None:
    """Characters run before the action syntax, conflicts before kind support."""
    bad_char = {"Statement": [{"Effect": "Allow", "Action": "s3:Get\u2603", "Resource": "*"}]}
    [problem] = validate_policy(json.dumps(bad_char)).problems
    assert (problem.code, problem.pointer) == ("invalid-character", "/Statement/0/Action")
    conflict = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotAction": "s3:Get*",
        "Resource": "*"}]}
    problems = validate_policy(json.dumps(conflict), kind=PolicyKind.RCP).problems
    assert [(p.code, p.pointer) for p in problems] == [
        ("conflicting-elements", "/Statement/0/NotAction")]


def test_size_is_measured_only_when_nothing_else_was_found() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": "x" * 7000}
    ok_otherwise = validate_policy(json.dumps({"Statement": [statement]})).problems
    assert [p.code for p in ok_otherwise] == ["oversize"]
    with_another = validate_policy(json.dumps({"Statement": [{**statement, "Effect": "allow"}]}))
    assert [p.code for p in with_another.problems] == ["invalid-effect"]
