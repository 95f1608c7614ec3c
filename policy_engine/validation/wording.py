"""How the rules write what they found: articles, clipped input, characters.

Messages are lower-case with the input in backticks (STYLE habit 7); these helpers keep
every rule's wording the same.
"""

from __future__ import annotations

from policy_engine.pydantic_errors import clip

__all__ = ["a", "clip", "describe_char"]


def a(noun: str) -> str:
    """`a role trust policy`, `an S3 bucket policy`, `an inline user policy`."""
    vowel_sound = noun[:1].lower() in "aeio" or noun.split(" ", 1)[0] in {"S3", "SQS", "SNS"}
    return ("an " if vowel_sound else "a ") + noun


def describe_char(char: str) -> str:
    code = f"U+{ord(char):04X}"
    return f"{code} ({char!r})" if char.isprintable() else code
