"""Bundled example environments (data), read through `examples_path()`."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def examples_path(*parts: str) -> Path:
    return Path(str(files(__name__).joinpath(*parts)))
