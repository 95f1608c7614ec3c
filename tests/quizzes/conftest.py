"""Every quiz test keeps its progress in its own temporary database, never in the user's
data directory."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def quiz_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "quiz.sqlite3"
    monkeypatch.setenv("POLICY_ENGINE_QUIZ_DB", str(path))
    return path
