from __future__ import annotations

import json
from typing import Any

import pytest
from snapshot_helpers import AUTHZ


@pytest.fixture
def authz() -> dict[str, Any]:
    """A fresh copy of the realistic authorization-details fixture, to modify."""
    return json.loads(AUTHZ.read_text())
