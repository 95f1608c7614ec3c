"""The matrix's cells for one principal, decided by the engine with four shortcuts.

1. Pairs no Allow can reach are skipped (`matrix.index`).
2. Per (principal, resource, service), one evaluation answers for each group of actions
   that every statement matches alike (all of them where no statement tells the
   service's actions apart: what-can's rule, `analysis.what_can.is_uniform_for_service`);
   actions with a service rule, and those whose decision reads their name beyond the
   statements (`read_by_name`), are evaluated alone.
3. A group no Allow statement, ACL grant or KMS grant can open to the principal (matched
   by Action, Resource and Principal, on the sides the decision needs) is implicitly
   denied without an evaluation (`_may_allow`).
4. Principals holding the same policies share one compiled policy set, and with it the
   evaluator's memory of which statements apply (`Resolver.policy_set`).

The granting statements of an allowed cell are named from the compiled statements, not
read off a rendered explanation (`matrix.granting`).

Requests are made over TLS (`aws:SecureTransport` true), as AWS SDKs and the console
make them; a Deny for plain HTTP (a common bucket policy or RCP) therefore does not
show, and an Allow that requires TLS does. A KMS key's grant with an encryption-context
constraint counts when the context meets it, and the cell says so (who-can's rule).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields

from policy_engine.analysis.resolve import Caller, Resolver, Target
from policy_engine.analysis.who_can import Grant, decide_under_grant_constraints
from policy_engine.catalog import CatalogAction
from policy_engine.engine.compiler import CompiledPolicy, CompiledStatement, PolicySet
from policy_engine.engine.evaluate import EvaluationResult, candidates, evaluate
from policy_engine.engine.grants import EC_OPERATIONS, RETIRE, operations_naming
from policy_engine.engine.match_principal import PrincipalVia, principal_via
from policy_engine.engine.request import PrincipalType, Request
from policy_engine.engine.result import Gate
from policy_engine.engine.s3_access import (
    ACTIONS_NAMED_BY_S3_SETTINGS,
    Grantee,
    acl_actions_naming,
)
from policy_engine.engine.service_rules import RULES_THAT_CAN_ALLOW, rule_reads_name
from policy_engine.engine.services import KMS_CROSS_ACCOUNT_ACTIONS, RCP_EXEMPT_ACTIONS
from policy_engine.engine.slots import Slot
from policy_engine.matrix.granting import applying_grants, granting_statements
from policy_engine.matrix.index import EVERYONE, build_index
from policy_engine.matrix.inventory import matrix_principals, matrix_resources
from policy_engine.matrix.model import (
    LEVELS,
    Cell,
    MatrixPrincipal,
    MatrixResource,
    PrincipalKind,
    Reach,
    level_of,
)
from policy_engine.snapshot import Snapshot

REQUEST_CONTEXT = {"aws:SecureTransport": "true"}


@dataclass(frozen=True)
class MatrixOptions:
    """What to narrow the matrix to (shell-style patterns, case-insensitive)."""

    principal: str | None = None
    resource: str | None = None
    levels: tuple[str, ...] = LEVELS
    accounts: tuple[str, ...] = ()  # resources of these accounts only

    def wants_principal(self, principal: MatrixPrincipal) -> bool:
        return self.principal is None or fnmatch.fnmatch(principal.key.lower(),
                                                         self.principal.lower())

    def wants_resource(self, resource: MatrixResource) -> bool:
        return (self.resource is None
                or fnmatch.fnmatch(resource.key.lower(), self.resource.lower())) and (
            not self.accounts or resource.account in self.accounts)

    def wants_cell(self, cell: Cell) -> bool:
        """The same narrowing for a cell read from a matrix file."""
        return (self.principal is None
                or fnmatch.fnmatch(cell.principal.lower(), self.principal.lower())) and (
            self.resource is None
            or fnmatch.fnmatch(cell.resource.lower(), self.resource.lower())) and (
            cell.level in self.levels) and (
            not self.accounts or cell.resource_account in self.accounts)


@dataclass
class Stats:
    """What the shortcuts saved, counted in single-action evaluations."""

    principals: int = 0
    pairs: int = 0
    pairs_evaluated: int = 0
    naive_evaluations: int = 0  # every action of every pair, one evaluation each
    evaluations: int = 0  # the engine's evaluations actually made
    saved_by_skipping: int = 0
    saved_by_sharing: int = 0  # one evaluation answering for a service's actions
    saved_by_action: int = 0  # actions no identity or resource Allow statement matches
    cells: int = 0

    def add(self, other: Stats) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def to_dict(self) -> dict[str, int]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


@dataclass
class _Allowed:
    actions: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)


class MatrixEngine:
    """The principals, resources and index of one snapshot, built once per process."""

    def __init__(self, snapshot: Snapshot, options: MatrixOptions = MatrixOptions()) -> None:
        self.resolver = Resolver(snapshot)
        self.options = options
        self.principals = [p for p in matrix_principals(self.resolver)
                           if options.wants_principal(p)]
        every = matrix_resources(self.resolver)
        self.resources = [
            MatrixResource(r.key, r.type, r.account,
                           tuple(a for a in r.actions if level_of(a) in options.levels))
            for r in every if options.wants_resource(r)]
        self.index = build_index(snapshot, self.resources, self._grant_accounts())
        self._split_memo: dict[tuple[int, int], tuple[CompiledPolicy,
                                                      tuple[int, ...] | None]] = {}
        self._interned: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._targets: dict[tuple[str, str], Target] = {}
        # Keyed by the ids of the actions (kept by `_by_service`) and of interned splits.
        self._group_memo: dict[tuple[object, ...], list[list[CatalogAction]]] = {}
        self._telling_memo: dict[tuple[int, str], tuple[CompiledPolicy,
                                                         tuple[CompiledStatement, ...]]] = {}
        # Each resource's actions by service, built once and shared by every resource with
        # the same actions (the splits' memo keys on their identity, so resources of one
        # type share their splits).
        shared: dict[tuple[str, ...], tuple[tuple[str, tuple[CatalogAction, ...]], ...]] = {}
        self._by_service = [
            shared.setdefault(tuple(a.full_name for a in r.actions), _by_service(r.actions))
            for r in self.resources]
        self._all_actions = sum(len(r.actions) for r in self.resources)
        organization = snapshot.organization
        self.organization_accounts = frozenset(
            organization.paths if organization is not None else snapshot.accounts)

    def _grant_accounts(self) -> dict[str, set[str]]:
        """Per resource ARN, the accounts its S3 ACL or KMS grants name (`*`: anyone)."""
        found: dict[str, set[str]] = {}
        snapshot = self.resolver.snapshot
        for resource in self.resources:
            arn = resource.key.removesuffix("/*") if resource.type == "s3-object" \
                else resource.key
            governing = snapshot.resource_for(arn)
            if governing is None or arn in found:
                continue
            accounts: set[str] = set()
            target = self.resolver.target("s3:ListBucket" if resource.type.startswith("s3")
                                          else "kms:Decrypt", arn)
            if target.s3 is not None:
                for grant in (*target.s3.bucket_grants, *target.s3.object_grants):
                    if grant.is_public:
                        accounts.add(EVERYONE)
                    elif grant.grantee is Grantee.BUCKET_OWNER:
                        accounts.add(governing.account)
                    elif grant.account:
                        accounts.add(grant.account)
            for compiled in target.grants:
                for entry in (compiled.grant.GranteePrincipal, compiled.grant.RetiringPrincipal):
                    if entry and entry.startswith("arn:"):
                        accounts.add(entry.split(":")[4])
            found[arn] = accounts
        return found

    # -- cells -------------------------------------------------------------------------

    def cells_for(self, principal: MatrixPrincipal, stats: Stats) -> list[Cell]:
        caller = principal.caller
        identity = [policy.document for policy in caller.identity] \
            if principal.kind in (PrincipalKind.USER, PrincipalKind.ROLE) else []
        numbers = self.index.candidates(principal, identity)
        stats.principals += 1
        stats.pairs += len(self.resources)
        stats.pairs_evaluated += len(numbers)
        stats.naive_evaluations += self._all_actions
        reached = sum(len(self.resources[n].actions) for n in numbers)
        stats.saved_by_skipping += self._all_actions - reached
        cells: list[Cell] = []
        for number in numbers:
            cells.extend(self._pair(principal, number, stats))
        stats.cells += len(cells)
        return cells

    def _pair(self, principal: MatrixPrincipal, number: int, stats: Stats) -> list[Cell]:
        resource = self.resources[number]
        by_level: dict[str, _Allowed] = {}
        caller = principal.caller
        # A group's actions share one result: its statements are named once (the result
        # is kept in the memo so its id is not reused).
        named: dict[int, tuple[EvaluationResult, list[str], list[str]]] = {}
        for service, actions in self._by_service[number]:
            for action, result in self._decide(caller, resource, service, actions, stats):
                found = by_level.setdefault(level_of(action), _Allowed())
                found.actions.append(action.full_name)
                reading = named.get(id(result))
                if reading is None:
                    reading = named[id(result)] = (result, statements_of(caller, result),
                                                   conditions_of(caller, result))
                _, statements, conditions = reading
                for entry in statements:
                    if entry not in found.statements:
                        found.statements.append(entry)
                for condition in conditions:
                    if condition not in found.conditions:
                        found.conditions.append(condition)
        reach = self.reach(principal, resource.account)
        return [Cell(principal.key, principal.kind.value, principal.account, resource.key,
                     resource.type, resource.account, level, reach.value,
                     tuple(found.actions), tuple(found.statements), tuple(found.conditions))
                for level in LEVELS if (found := by_level.get(level)) is not None]

    def _decide(self, caller: Caller, resource: MatrixResource, service: str,
                actions: Sequence[CatalogAction], stats: Stats
                ) -> list[tuple[CatalogAction, EvaluationResult]]:
        resolver = self.resolver
        first = actions[0].full_name
        # The target depends on the resource and, for STS on a role, on the service only.
        target = self._targets.get((resource.key, service))
        if target is None:
            target = self._targets[(resource.key, service)] = resolver.target(
                first, resource.key, resource.account)
        base = resolver.request(caller, first, target, REQUEST_CONTEXT)
        policy_set = resolver.policy_set(caller, target)
        groups = self._groups(policy_set, service, actions)
        allowed: list[tuple[CatalogAction, EvaluationResult]] = []
        may_allow = self._may_allow(policy_set, base, target)
        for group in groups:
            if not may_allow(group[0].full_name.lower()):
                stats.saved_by_action += len(group)
                continue
            # Actions in one group are matched by the same statements of every policy, and
            # nothing else in the decision reads their names: one evaluation answers all.
            result = evaluate(base.with_action(group[0].full_name), policy_set)
            stats.evaluations += 1
            stats.saved_by_sharing += len(group) - 1
            if not result.allowed and target.grants and \
                    any(group[0].full_name.lower() in g.operations for g in target.grants):
                # a grant's context constraint (the operations grants list are alone)
                result = self._under_grants(caller, group[0].full_name, target) or result
            if result.allowed:
                allowed.extend((action, result) for action in group)
        order = {action.full_name: n for n, action in enumerate(actions)}
        allowed.sort(key=lambda pair: order[pair[0].full_name])
        return allowed

    @staticmethod
    def _may_allow(policy_set: PolicySet, base: Request, target: Target
                   ) -> Callable[[str], bool]:
        """Whether an Allow could decide the action at all. Only an Allow statement grants,
        besides the root user in its own account, the service rules that can allow, and
        the S3 ACL grants and KMS grants that name the caller (for the actions an ACL
        permission covers, `s3_access.acl_actions_naming`; the operations a grant lists
        and RetireGrant, `grants.operations_naming`), for which the answer is yes. Else
        the request is implicitly denied, with no evaluation, unless statements matching
        it by Action, Resource and Principal allow on the sides the decision needs
        (`decide._allow_paths`): across accounts both; within one the identity side, or a
        resource statement naming the caller directly, or one naming its account together
        with the identity side; a key or trust policy must allow in every case; a caller
        that is not an IAM identity has the resource side only
        (reference_policies_evaluation-logic_policy-eval-denyallow.html,
        reference_policies_evaluation-logic-cross-account.html,
        kms/latest/developerguide/key-policy-overview.html, id_roles_terms-and-concepts.html).
        Conditions, Deny statements, boundaries and refusing rules only ever take access
        away, so they are not read: a yes is a maybe, a no is exact."""
        if base.principal.type is PrincipalType.ROOT:
            return _always
        # Actions an ACL grant or a KMS grant naming the caller could allow whatever the
        # statements say.
        granted = operations_naming((*policy_set.grants, *target.grants), base)
        if policy_set.s3 is not None:
            granted |= acl_actions_naming(policy_set.s3, base)
        layout = policy_set.layout
        identity = [layout.placements[i].policy for i in layout.identity]
        resource_policy = None if layout.resource is None else \
            layout.placements[layout.resource].policy
        principal, resource = base.principal, base.resource
        iam_caller = principal.is_iam_identity
        has_boundary = policy_set.permissions_boundary is not None and iam_caller
        # Across accounts both sides must allow; within one, either side is enough; a
        # caller that is not an IAM identity has the resource side only (`decide`).
        both = base.is_cross_account and iam_caller
        # A key or trust policy must allow (name the caller or delegate to its account)
        # whatever the identity side says (`decide._allow_paths`).
        must_name = base.resource_slot in (Slot.KEY, Slot.TRUST)

        def matching(statement: CompiledStatement) -> bool:
            # An element with policy variables may match once rendered: counted as maybe;
            # conditions are not read (a maybe too).
            return statement.is_allow and (
                statement.resources is None or bool(statement.resources.templates)
                or statement.resources.covers(resource))

        def may_allow(action_lower: str) -> bool:
            if action_lower in RULES_THAT_CAN_ALLOW or action_lower in granted:
                return True
            from_identity = iam_caller and any(
                matching(s) for policy in identity for s in candidates(policy, action_lower))
            if from_identity and not both and not must_name:
                return True
            # How the resource side names the caller: directly (it may grant alone within
            # the account) or only through its account (the identity side must allow too,
            # `decide._same_account_direct_grant`).
            direct = by_account = False
            for statement in candidates(resource_policy, action_lower) \
                    if resource_policy is not None else ():
                if not matching(statement):
                    continue
                via = None if statement.principals is None else \
                    principal_via(statement, principal, has_boundary)
                if via is PrincipalVia.ACCOUNT:
                    by_account = True
                elif via is not None or statement.principals is None:
                    direct = True
                    break
            if not iam_caller:
                return direct or by_account
            if both:
                return (direct or by_account) and from_identity
            return direct or (by_account and from_identity)
        return may_allow

    def _groups(self, policy_set: PolicySet, service: str,
                actions: Sequence[CatalogAction]) -> list[list[CatalogAction]]:
        """Actions no statement tells apart, grouped; each alone where the decision reads
        its name beyond the statements (`read_by_name`)."""
        # Only the policies whose statements split the actions shape the groups (`_split`
        # is None for the others: where no statement tells the service's actions apart,
        # what-can's `is_uniform_for_service`, the actions form one group). A grouping is
        # a function of the splits, the actions and the names read, and equal splits are
        # one object, so it is memoised by their identities.
        splits = [split for placement in policy_set.layout.placements
                  if (split := self._split(placement.policy, service, actions)) is not None]
        by_name = read_by_name(policy_set, service)
        key = (id(actions), by_name, *dict.fromkeys(map(id, splits)))
        found = self._group_memo.get(key)
        if found is not None:
            return found
        groups_made = self._group_memo[key] = self._make_groups(splits, service, actions,
                                                                by_name)
        return groups_made

    @staticmethod
    def _make_groups(splits: list[tuple[int, ...]], service: str,
                     actions: Sequence[CatalogAction], by_name: frozenset[str]
                     ) -> list[list[CatalogAction]]:
        labels: list[tuple[int, ...]] = list(zip(*splits, strict=True)) if splits \
            else [()] * len(actions)
        is_kms = service == "kms"
        groups: dict[tuple[object, ...], list[CatalogAction]] = {}
        alone: list[list[CatalogAction]] = []
        for action, label in zip(actions, labels, strict=True):
            name = action.full_name.lower()
            if rule_reads_name(name) or name in by_name:
                alone.append([action])
            elif is_kms:
                # Which KMS operations work across accounts (the one other place the
                # decision reads a KMS action's name): a key of its own.
                groups.setdefault((*label, name in KMS_CROSS_ACCOUNT_ACTIONS), []).append(
                    action)
            else:
                groups.setdefault(label, []).append(action)
        return [*groups.values(), *alone]

    def _telling(self, policy: CompiledPolicy, service: str
                 ) -> tuple[CompiledStatement, ...]:
        """The policy's statements that tell the service's actions apart; once per policy
        and service."""
        key = (id(policy), service)
        found = self._telling_memo.get(key)
        if found is not None and found[0] is policy:
            return found[1]
        telling = tuple(s for s in policy.statements
                        if s.actions.uniform_for_service(service) is None)
        if len(self._telling_memo) > 200_000:
            self._telling_memo.clear()
        self._telling_memo[key] = (policy, telling)
        return telling

    def _split(self, policy: CompiledPolicy, service: str,
               actions: Sequence[CatalogAction]) -> tuple[int, ...] | None:
        """How the policy's statements split the actions: per action, the number of its
        class (actions matched by the same of the statements that tell the service's
        actions apart share one, numbered in order of first appearance), or None when
        they do not split them; once per policy and action list, equal splits one object
        (`_interned`)."""
        key = (id(policy), id(actions))
        found = self._split_memo.get(key)
        if found is not None and found[0] is policy:
            return found[1]
        telling = self._telling(policy, service)
        split: tuple[int, ...] | None = None
        if telling:
            masks = [sum(1 << bit for bit, s in enumerate(telling)
                         if s.actions.matches(action.full_name.lower()))
                     for action in actions]
            numbers: dict[int, int] = {}
            labels = tuple(numbers.setdefault(mask, len(numbers)) for mask in masks)
            if len(numbers) > 1:
                split = self._interned.setdefault(labels, labels)
        if len(self._split_memo) > 200_000:
            # The groups are memoised by the splits' ids: all three go together, so no id
            # in a key can outlive its object.
            self._split_memo.clear()
            self._interned.clear()
            self._group_memo.clear()
        self._split_memo[key] = (policy, split)
        return split

    def _under_grants(self, caller: Caller, action: str, target: Target
                      ) -> EvaluationResult | None:
        return decide_under_grant_constraints(self.resolver, caller, action, target)

    def reach(self, principal: MatrixPrincipal, resource_account: str) -> Reach:
        return reach_of(principal, resource_account, self.organization_accounts)


def _always(action_lower: str) -> bool:
    return True


def _by_service(actions: Sequence[CatalogAction]
                ) -> tuple[tuple[str, tuple[CatalogAction, ...]], ...]:
    found: dict[str, list[CatalogAction]] = {}
    for action in actions:
        found.setdefault(action.service, []).append(action)
    return tuple((service, tuple(group)) for service, group in found.items())


def read_by_name(policy_set: PolicySet, service: str) -> frozenset[str]:
    """The service's actions whose decision reads their name beyond the policies' Action
    elements and the service rules (kept apart): under S3 settings, the actions ACL
    permissions cover and those that can set an ACL (`s3_access`); for KMS, RetireGrant
    (its own grant rule, and exempt from RCPs: `scope.rcp_applies`) and, on a key with
    grants, the operations a grant's encryption-context constraint reads and every
    operation a grant of the key lists (`engine.grants.check_grant`).
    Everything else is read by name only through Action elements, so actions every
    statement matches alike decide alike."""
    if service == "s3" and policy_set.s3 is not None:
        return ACTIONS_NAMED_BY_S3_SETTINGS
    if service == "kms":
        if not policy_set.grants:  # only a grant reads the encryption-context operations
            return _KMS_READ_BY_NAME
        listed = frozenset().union(*(grant.operations for grant in policy_set.grants))
        return _KMS_READ_BY_NAME | EC_OPERATIONS | listed
    return frozenset()


_KMS_READ_BY_NAME = RCP_EXEMPT_ACTIONS | frozenset({RETIRE})


def reach_of(principal: MatrixPrincipal, resource_account: str,
             organization_accounts: frozenset[str]) -> Reach:
    if principal.kind in (PrincipalKind.ANONYMOUS, PrincipalKind.ANY_OUTSIDER):
        return Reach.PUBLIC
    if principal.account == resource_account:
        return Reach.INTERNAL
    if principal.account in organization_accounts and resource_account in \
            organization_accounts:
        return Reach.CROSS_ACCOUNT
    return Reach.OUTSIDE_ORGANIZATION


def statements_of(caller: Caller, result: EvaluationResult) -> list[str]:
    """`slot: policy statement` of each Allow that granted (who-can's reading), the KMS
    grants that applied, and the root user's own-account access (no statement); named
    without building the explanation (`matrix.granting`)."""
    found = [f"{slot}: {name} {sid}" for slot, name, sid in
             granting_statements(caller, result)]
    gate = result.verdict.gate
    if gate is Gate.GRANT:
        found += [f"kms-grant: {name}" for name in applying_grants(result)]
    elif gate is Gate.ROOT:
        found.append(_ROOT_ACCESS)
    return found


_ROOT_ACCESS = "root: the account root user has full access to its own account"


def statements_from_explanation(caller: Caller, result: EvaluationResult) -> list[str]:
    """`statements_of` read off the explanation trace (the reference the tests hold the
    fast reading to)."""
    found = [f"{slot}: {name} {sid}" for slot, name, sid in
             Grant(caller, result).granting_statements]
    gate = result.verdict.gate
    if gate is Gate.GRANT:
        found += [f"kms-grant: {g.name or g.grant_id or g.label}"
                  for g in result.explanation.grants if g.applies]
    elif gate is Gate.ROOT:
        found.append(_ROOT_ACCESS)
    return found


def conditions_of(caller: Caller, result: EvaluationResult) -> list[str]:
    found: list[str] = []
    if caller.allowed_if is not None:
        found.append(f"allowed only if {caller.allowed_if}")
    if caller.missing_boundary is not None:
        found.append(f"allowed only if the permissions boundary {caller.missing_boundary}, "
                     "missing from the snapshot, has no Deny that matches")
    reason = result.verdict.reason
    if "(when the request's encryption context has " in reason:
        found.append(reason[reason.rindex("(when ") + 1:].rstrip(")"))
    return found
