"""The matrix equals the brute-force one, cell by cell, on randomized organizations: every
action of every level for every principal × resource asked of the plain engine
(`Resolver.evaluate`, as `ask` and who-can do), with none of the matrix's shortcuts
(pair skipping, one evaluation per service, shared policy sets). Cross-account rules:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

from pathlib import Path

import pytest
from matrix_org_builder import write_org

from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.who_can import decide_under_grant_constraints
from policy_engine.matrix.compute import (
    REQUEST_CONTEXT,
    MatrixEngine,
    statements_from_explanation,
)
from policy_engine.matrix.inventory import matrix_principals, matrix_resources
from policy_engine.matrix.model import PrincipalKind, level_of
from policy_engine.matrix.run import Collect, MatrixSpec, run_local
from policy_engine.snapshot import load_snapshot

Cells = dict[tuple[str, str, str], tuple[frozenset[str], frozenset[str]]]


def brute_force(path: Path) -> Cells:
    resolver = Resolver(load_snapshot([path]))
    found: dict[tuple[str, str, str], tuple[set[str], set[str]]] = {}
    for principal in matrix_principals(resolver):
        for resource in matrix_resources(resolver):
            if principal.kind is PrincipalKind.PROVIDER and resource.type != "iam-role":
                continue  # by definition: a provider only starts AssumeRoleWith*
            for action in resource.actions:
                name = action.full_name
                target = resolver.target(name, resource.key, resource.account)
                result = resolver.evaluate(principal.caller, name, target, REQUEST_CONTEXT)
                if not result.allowed and target.grants:
                    result = decide_under_grant_constraints(resolver, principal.caller, name,
                                                      target) or result
                if result.allowed:
                    actions, statements = found.setdefault(
                        (principal.key, resource.key, level_of(action)), (set(), set()))
                    actions.add(name)
                    statements.update(statements_from_explanation(principal.caller, result))
    return {key: (frozenset(a), frozenset(s)) for key, (a, s) in found.items()}


def matrix_cells(path: Path) -> tuple[Cells, MatrixEngine]:
    sink = Collect()
    spec = MatrixSpec((str(path),))
    stats = run_local(spec, sink, jobs=1)
    cells = {cell.key: (frozenset(cell.actions), frozenset(cell.statements))
             for cell in sink.cells}
    assert len(cells) == len(sink.cells) == stats.cells  # one row per cell
    assert stats.saved_by_skipping > 0 and stats.saved_by_sharing > 0
    from policy_engine.matrix.run import engine_for

    return cells, engine_for(spec)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_matrix_equals_brute_force_cell_by_cell(tmp_path: Path, seed: int) -> None:
    path = write_org(tmp_path, seed=seed, users=3, roles=3)
    expected = brute_force(path)
    found, engine = matrix_cells(path)
    assert set(found) == set(expected)
    for key in expected:
        assert found[key] == expected[key], key
    # The organization is varied enough to mean something: each reach occurs.
    reaches = {engine.reach(p, r.account).value
               for p in engine.principals for r in engine.resources
               if any(key[0] == p.key and key[1] == r.key for key in found)}
    assert {"internal", "cross-account", "outside-organization", "public"} <= reaches
