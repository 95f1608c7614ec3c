"""Every principal and resource the matrix covers, in a fixed order (every worker builds
the same lists from the same snapshot, so a chunk of principals is named by its indexes).

Principals: every user and role (a role stands for its sessions, as in who-can), the root
user of every account the snapshot holds, the identity providers the snapshot lists or a
trust policy names (they start AssumeRoleWithSAML / AssumeRoleWithWebIdentity:
id_roles_providers.html), the accounts, users and roles of accounts outside the snapshot
that a resource policy, trust policy, S3 ACL or KMS grant names, any principal of an
account nobody names, and the anonymous caller. Service principals are left out: the
matrix is about who, not which AWS service.

Resources: S3 buckets (the bucket, and its objects as `arn:aws:s3:::NAME/*`: an object
key no policy singles out), KMS keys, SQS queues, SNS topics, Lambda functions and layer
versions, Secrets Manager secrets, ECR repositories, and every role as the target of the
STS actions that apply to it (AssumeRole*, TagSession, SetSourceIdentity, SetContext).
"""

from __future__ import annotations

from collections.abc import Iterator

from policy_engine.analysis.grant_sets import principal_entries
from policy_engine.analysis.resolve import Resolver
from policy_engine.analysis.who_can import acl_accounts, condition_principals
from policy_engine.arn import arn_account, is_account_id, is_service_principal
from policy_engine.catalog import actions_for_resource, actions_of
from policy_engine.errors import PolicyEngineError
from policy_engine.matrix.model import MatrixPrincipal, MatrixResource, PrincipalKind
from policy_engine.model.policy import PolicyDocument
from policy_engine.snapshot import Role, User
from policy_engine.snapshot.model import ResourceType

COVERED_TYPES = (ResourceType.S3_BUCKET, ResourceType.KMS_KEY, ResourceType.SQS_QUEUE,
                 ResourceType.SNS_TOPIC, ResourceType.LAMBDA_FUNCTION,
                 ResourceType.LAMBDA_LAYER_VERSION, ResourceType.SECRETSMANAGER_SECRET,
                 ResourceType.ECR_REPOSITORY)


def role_target_actions():
    return tuple(a for a in actions_of("sts") if "role" in a.resource_types)


def matrix_resources(resolver: Resolver) -> list[MatrixResource]:
    snapshot = resolver.snapshot
    found: list[MatrixResource] = []
    for arn in sorted(snapshot.resources):
        resource = snapshot.resources[arn]
        if resource.type not in COVERED_TYPES:
            continue
        found.append(MatrixResource(arn, resource.type.value, resource.account,
                                    actions_for_resource(arn)))
        if resource.type is ResourceType.S3_BUCKET:
            objects = f"{arn}/*"
            found.append(MatrixResource(objects, "s3-object", resource.account,
                                        actions_for_resource(objects)))
    sts = role_target_actions()
    roles = sorted((p for p in snapshot.principals() if isinstance(p, Role)),
                   key=lambda r: r.arn)
    found.extend(MatrixResource(role.arn, "iam-role", role.account, sts) for role in roles)
    return found


def matrix_principals(resolver: Resolver) -> list[MatrixPrincipal]:
    snapshot = resolver.snapshot
    found: list[MatrixPrincipal] = []
    for entity in sorted(snapshot.principals(), key=lambda p: p.arn):
        kind = PrincipalKind.USER if isinstance(entity, User) else PrincipalKind.ROLE
        found.append(MatrixPrincipal(entity.arn, kind, entity.account,
                                     resolver.caller_for(entity)))
    held = sorted(a for a in snapshot.accounts if resolver.holds(a))
    for account in held:
        found.append(MatrixPrincipal(f"arn:aws:iam::{account}:root", PrincipalKind.ROOT,
                                     account, resolver.caller(f"{account}:root")))
    accounts, arns, providers = _named_elsewhere(resolver)
    for provider in sorted(providers):
        try:
            caller = resolver.caller(provider)
        except PolicyEngineError:
            continue  # a provider its own account's snapshot does not list
        found.append(MatrixPrincipal(provider, PrincipalKind.PROVIDER,
                                     arn_account(provider) or None, caller))
    for account in sorted(accounts - set(held)):
        found.append(MatrixPrincipal(f"arn:aws:iam::{account}:root", PrincipalKind.ROOT,
                                     account, resolver.caller(f"{account}:root")))
    for arn in sorted(arns):
        account = arn_account(arn)
        if not account or resolver.holds(account) or snapshot.principal(arn) is not None:
            continue  # held accounts' principals are listed above (or are gone)
        try:
            caller = resolver.caller(arn)
        except PolicyEngineError:
            continue
        found.append(MatrixPrincipal(arn, PrincipalKind.EXTERNAL, account, caller))
    outsider = resolver.any_outsider()
    found.append(MatrixPrincipal(outsider.display, PrincipalKind.ANY_OUTSIDER,
                                 outsider.account, outsider))
    found.append(MatrixPrincipal("*", PrincipalKind.ANONYMOUS, None, resolver.caller("*")))
    return found


def _documents(resolver: Resolver) -> Iterator[PolicyDocument]:
    snapshot = resolver.snapshot
    for resource in snapshot.resources.values():
        if resource.type in COVERED_TYPES and resource.policy is not None:
            yield resource.policy.document
    for principal in snapshot.principals():
        if isinstance(principal, Role) and principal.trust_policy is not None:
            yield principal.trust_policy.document


def _named_elsewhere(resolver: Resolver) -> tuple[set[str], set[str], set[str]]:
    """Accounts, principal ARNs and identity providers that resource-side policies, S3
    ACLs and KMS grants name (the same sources who-can takes its candidates from)."""
    accounts: set[str] = set()
    arns: set[str] = set()
    providers: set[str] = set()
    for account in resolver.snapshot.accounts.values():
        providers.update(account.identity_providers)
    for document in _documents(resolver):
        for statement in document.statements:
            spec = statement.principal if statement.principal is not None else \
                statement.not_principal
            if spec is None:
                continue
            entries = principal_entries(spec)
            if "*" in entries:
                more_accounts, more_arns = condition_principals(statement.condition)
                accounts.update(more_accounts)
                arns.update(more_arns)
            for entry in entries:
                key, _, value = entry.partition(":")
                if key == "Federated" and value.startswith("arn:"):
                    providers.add(value)
                elif key == "AWS" and "*" not in value and "?" not in value:
                    if value.endswith(":root"):
                        accounts.add(arn_account(value) or "")
                    elif value.startswith("arn:"):
                        arns.add(value)
    for resource in resolver.snapshot.resources.values():
        if resource.type is ResourceType.S3_BUCKET:
            target = resolver.target("s3:ListBucket", resource.arn)
            accounts.update(acl_accounts(target))
        for grant in resource.grants:
            for entry in (grant.GranteePrincipal, grant.RetiringPrincipal):
                if entry is None or is_service_principal(entry):
                    continue
                if entry.endswith(":root"):
                    accounts.add(arn_account(entry) or "")
                elif entry.startswith("arn:"):
                    arns.add(entry)
    accounts = {a for a in accounts if is_account_id(a)}
    return accounts, arns, providers
