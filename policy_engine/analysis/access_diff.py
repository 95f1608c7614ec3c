"""Check no new access: every access NEW grants that OLD does not.

The user-facing meaning is Access Analyzer's CheckNoNewAccess ("checks whether new access
is allowed for an updated policy when compared to the existing policy",
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html),
decided offline and exactly where it can be:

- actions exactly over the action catalogue, `NotAction` by complement
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
  reference_policies_elements_notaction.html);
- resources as wildcard languages: NEW's pattern is covered when every ARN it matches is
  matched by some OLD pattern (`analysis.patterns`; wildcards per
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
- principals the same way, for resource policies (reference_policies_elements_principal.html);
- conditions conservatively: OLD covers an access only through a statement with no
  condition or exactly the same condition block; otherwise it is reported, saying
  "granted under different conditions";
- a Deny of NEW without a condition removes the access it covers; a Deny of OLD that NEW
  no longer has (nor a broader one) makes what it denied new.

Each finding names NEW's statement (index, Sid, line), the actions (compressed back to
the statement's own patterns or to `service:*` where all of them are new), the resource
pattern and principal, and why OLD does not cover it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policy_engine.analysis.grant_sets import (
    EVERYONE,
    StatementSet,
    expand_actions,
    literal_actions,
    principal_covered,
    resource_covered,
    resources_overlap,
    statement_sets,
)
from policy_engine.catalog import action_names_of, find_action
from policy_engine.parse import ParsedPolicy

if TYPE_CHECKING:
    from policy_engine.analysis.diff_witness import Witness


@dataclass(frozen=True)
class NewAccess:
    """Actions NEW's statement grants on `resources` (to `principal`) that OLD does not."""

    statement_index: int
    sid: str | None
    line: int | None
    actions: tuple[str, ...]  # every new action, lower-cased, sorted
    shown_actions: tuple[str, ...]  # compressed: patterns, `service:*`, names
    resources: tuple[str, ...]
    resources_negated: bool
    principal: str | None
    reason: str
    # A request NEW allows and OLD does not, decided by the engine (`diff_witness`).
    witness: Witness | None = None


@dataclass(frozen=True)
class DiffReport:
    old_source: str
    new_source: str
    kind: str
    new_access: tuple[NewAccess, ...]

    @property
    def passed(self) -> bool:
        return not self.new_access


def diff_policies(old: ParsedPolicy, new: ParsedPolicy, *, prove: bool = True) -> DiffReport:
    """Every access NEW grants that OLD does not; `prove`: give each finding of an
    identity policy the engine-decided request that shows it, where one does."""
    report = _diff(old, new)
    if not prove:
        return report
    from policy_engine.analysis.diff_witness import with_witnesses

    return with_witnesses(report, old, new)


def _diff(old: ParsedPolicy, new: ParsedPolicy) -> DiffReport:
    extra = literal_actions((old.document, new.document))
    olds = statement_sets(old.document, extra)
    news = statement_sets(new.document, extra)
    old_allows = [s for s in olds if s.grants]
    new_denies = [s for s in news if not s.is_allow]
    dropped = [d for d in olds if not d.is_allow and not any(_deny_covers(n, d)
                                                             for n in new_denies)]
    found: list[NewAccess] = []
    for granted in (s for s in news if s.grants):
        parts = [(granted.resources, granted.resources_negated)] if granted.resources_negated \
            else [((r,), False) for r in granted.resources]
        for resources, negated in parts:
            for principal in granted.principals or (None,):
                actions = granted.actions - _denied(new_denies, resources, negated, principal)
                found.extend(_compare(granted, actions, resources, negated, principal,
                                      old_allows, dropped, new))
    return DiffReport(old.source, new.source, new.kind.value, tuple(found))


def _denied(denies: Iterable[StatementSet], resources: tuple[str, ...], negated: bool,
            principal: str | None) -> frozenset[str]:
    """Actions NEW's unconditional Denies take away from this part altogether."""
    taken: set[str] = set()
    for deny in denies:
        if deny.condition is not None or deny.principals_negated:
            continue
        if deny.principals is not None and EVERYONE not in deny.principals and \
                not principal_covered(deny.principals, principal):
            continue
        if resource_covered(deny, resources, negated):
            taken |= deny.actions
    return frozenset(taken)


def _deny_covers(general: StatementSet, specific: StatementSet) -> bool:
    """Whether NEW's Deny `general` denies at least all that OLD's Deny `specific` did."""
    if general.condition != specific.condition or \
            general.principals_negated != specific.principals_negated:
        return False
    if specific.principals_negated:
        if general.principals != specific.principals:
            return False
    elif general.principals is not None and EVERYONE not in general.principals and not all(
            principal_covered(general.principals, p) for p in specific.principals or (None,)):
        return False
    return specific.actions <= general.actions and resource_covered(
        general, specific.resources, specific.resources_negated)


def _compare(granted: StatementSet, actions: frozenset[str], resources: tuple[str, ...],
             negated: bool, principal: str | None, old_allows: list[StatementSet],
             dropped: list[StatementSet], new: ParsedPolicy) -> list[NewAccess]:
    eligible = [o for o in old_allows
                if principal_covered(o.principals, principal)
                and (o.condition is None or o.condition == granted.condition)]
    groups: dict[tuple[int, ...], set[str]] = {}
    for action in actions:
        signature = tuple(i for i, o in enumerate(eligible) if action in o.actions)
        groups.setdefault(signature, set()).add(action)
    uncovered: dict[str, set[str]] = {}
    for signature, members in groups.items():
        covering = [eligible[i] for i in signature]
        if signature and resource_covered(covering, resources, negated):
            for deny in dropped:
                hit = members & deny.actions
                if hit and resources_overlap(deny, resources, negated):
                    reason = (f"OLD's Deny {deny.label} denied it; NEW no longer has that "
                              "Deny (nor a broader one)")
                    uncovered.setdefault(reason, set()).update(hit)
            continue
        reason = _why(members, resources, negated, principal, granted, old_allows)
        uncovered.setdefault(reason, set()).update(members)
    line = statement_line(new, granted.index)
    return [NewAccess(granted.index, granted.sid, line, tuple(sorted(members)),
                      compress(members, granted), resources, negated,
                      principal, reason)
            for reason, members in sorted(uncovered.items(), key=lambda item: item[0])]


def _why(actions: set[str], resources: tuple[str, ...], negated: bool, principal: str | None,
         granted: StatementSet, old_allows: list[StatementSet]) -> str:
    """Why OLD does not cover these actions, from the nearest miss."""
    with_actions = [o for o in old_allows if actions & o.actions]
    if not with_actions:
        return "no OLD statement grants these actions"
    to_principal = [o for o in with_actions if principal_covered(o.principals, principal)]
    if not to_principal:
        return f"OLD grants these actions to other principals, not `{principal}`"
    on_resource = [o for o in to_principal if resource_covered(o, resources, negated)]
    if not on_resource:
        named = sorted({r for o in to_principal for r in o.resources})
        where = ", ".join(f"`{r}`" for r in named[:5]) + (", …" if len(named) > 5 else "")
        return f"OLD grants these actions only on {where}"
    conditions = ", ".join(
        f"{o.label}: {o.condition}" for o in on_resource if o.condition is not None)
    new_condition = granted.condition or "no condition"
    return f"granted under different conditions: NEW has {new_condition}; OLD {conditions}"


def statement_line(policy: ParsedPolicy, index: int) -> int | None:
    for pointer in (f"/Statement/{index}", "/Statement"):
        found = policy.locate(pointer)
        if found is not None:
            return found[0]
    return None


def compress(actions: Iterable[str], granted: StatementSet | None = None) -> tuple[str, ...]:
    """Actions written back as the statement's own patterns or `service:*` where all (or
    all but a few) of the actions they match are in the set, then the remaining names,
    in the catalogue's spelling."""
    wanted = set(actions)
    left = set(wanted)
    shown: list[str] = []
    patterns = (granted.statement.action or ()) if granted is not None else ()
    for pattern in patterns:
        if "*" not in pattern and "?" not in pattern:
            continue
        matched = expand_actions((pattern,), frozenset(left))
        shown_pattern = _summarise(pattern, matched, wanted, left)
        if shown_pattern:
            shown.append(shown_pattern)
            left -= matched
    for service in sorted({name.partition(":")[0] for name in left}):
        every = action_names_of(service)
        shown_service = _summarise(f"{service}:*", every, wanted, left) \
            if len(every) > 1 else None
        if shown_service:
            shown.append(shown_service)
            left -= every
    return (*shown, *sorted(display_name(name) for name in left))


_FEW = 3  # a pattern is still shown when at most this many of its actions are not new


def _summarise(pattern: str, matched: frozenset[str], wanted: set[str], left: set[str]
               ) -> str | None:
    if not matched & left or len(matched) <= _FEW:
        return None
    missing = matched - wanted
    if len(missing) > _FEW or len(missing) * 2 >= len(matched):
        return None
    if not missing:
        return f"{pattern} ({len(matched)} actions)"
    names = ", ".join(display_name(n) for n in sorted(missing))
    return f"{pattern} ({len(matched) - len(missing)} of {len(matched)} actions; not {names})"


def display_name(action: str) -> str:
    """An action as the catalogue spells it (`s3:GetObject`); unknown names as given."""
    found = find_action(action)
    return found.full_name if found is not None else action
