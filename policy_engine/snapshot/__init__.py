"""Account snapshots: IAM data of several accounts, their organization and resources.

`load_snapshot(paths)` reads the output of `aws iam get-account-authorization-details`
as the CLI writes it, our snapshot files (`"format": "policy-engine-snapshot/1"`, JSON or
YAML), or a mix, merges them and returns one frozen `Snapshot` with its lookups built.
`snapshot_schema()` is the JSON Schema of the snapshot file, also registered as the
`snapshot` schema of `policy_engine.schema` (`policy-engine schema --kind snapshot`).
"""

from policy_engine.schema import register_schema_provider
from policy_engine.snapshot.load import (
    SnapshotError,
    load_snapshot,
    load_snapshot_value,
    parse_snapshot_text,
    snapshot_schema,
)
from policy_engine.snapshot.model import (
    Account,
    AttachedPolicyRef,
    EntityType,
    Group,
    InstanceProfile,
    ManagedPolicy,
    ManagedPolicyVersion,
    Organization,
    OrgLevel,
    OrgNodeType,
    OrgPolicy,
    Origin,
    Principal,
    Resource,
    ResourceType,
    Role,
    Snapshot,
    SnapshotPolicy,
    User,
)
from policy_engine.snapshot.snapshot_file import SNAPSHOT_FORMAT, OrgPolicyType, SnapshotFile

# `policy-engine schema --kind snapshot`
register_schema_provider("snapshot", snapshot_schema)

__all__ = [
    "SNAPSHOT_FORMAT",
    "Account",
    "AttachedPolicyRef",
    "EntityType",
    "Group",
    "InstanceProfile",
    "ManagedPolicy",
    "ManagedPolicyVersion",
    "OrgLevel",
    "OrgNodeType",
    "OrgPolicy",
    "OrgPolicyType",
    "Organization",
    "Origin",
    "Principal",
    "Resource",
    "ResourceType",
    "Role",
    "Snapshot",
    "SnapshotError",
    "SnapshotFile",
    "SnapshotPolicy",
    "User",
    "load_snapshot",
    "load_snapshot_value",
    "parse_snapshot_text",
    "snapshot_schema",
]
