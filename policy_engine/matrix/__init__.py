"""The organization-wide access matrix: (principal, resource, access level) -> the actions
allowed and the statements that grant them, decided by the engine (issue 14)."""
