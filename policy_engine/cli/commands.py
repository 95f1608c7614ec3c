"""Imports every command module so that each registers itself on the app."""

from policy_engine.cli import (  # noqa: F401
    accounts,
    demo,
    schema,
    simulate,
    validate,
)
