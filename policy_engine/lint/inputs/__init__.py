"""Lint inputs: a file becomes a `LintInput` of policy documents, each placed in the file.

`read_input` picks the reader: the one named by `--input`, else the first whose sniffer
recognises the text (CloudFormation, Terraform plan), else a policy file. Readers are
registered in `READERS`; each is `(text, path, kind) -> LintInput` and raises a
`PolicyEngineError` (one located problem) for input it cannot use.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Final

from policy_engine.files import read_text_bounded
from policy_engine.lint.document import LintInput
from policy_engine.lint.inputs import cloudformation, policy_file, terraform
from policy_engine.model.kinds import PolicyKind

# Templates and plans are larger than any policy (a CloudFormation template may be 1 MB,
# a Terraform plan of a large stack several); policy files keep the policy bound.
MAX_INPUT_BYTES: Final = 64 * 1024 * 1024


class InputType(StrEnum):
    AUTO = "auto"
    POLICY = "policy"
    CLOUDFORMATION = "cloudformation"
    TERRAFORM = "terraform"


Reader = Callable[[str, Path, PolicyKind | None], LintInput]
Sniffer = Callable[[str, Path], bool]

# (input type, sniffer, reader), tried in order for `--input auto`; policy files last.
READERS: list[tuple[InputType, Sniffer, Reader]] = [
    (InputType.TERRAFORM, terraform.sniff, terraform.read),
    (InputType.CLOUDFORMATION, cloudformation.sniff, cloudformation.read),
    (InputType.POLICY, lambda text, path: True, policy_file.read),
]


def read_input(path: Path, *, kind: PolicyKind | None = None,
               input_type: InputType = InputType.AUTO) -> LintInput:
    """Read one file and take its policy documents out of it."""
    text = read_text_bounded(path, max_bytes=MAX_INPUT_BYTES, what="lint input")
    for candidate, sniff, reader in READERS:
        if input_type is candidate or (input_type is InputType.AUTO and sniff(text, path)):
            return reader(text, path, kind)
    raise AssertionError(f"no reader for {input_type}")  # READERS lists every type

