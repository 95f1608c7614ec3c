"""How the rules write what they found: articles, clipped input, characters.

Messages are lower-case with the input in backticks (STYLE habit 7); these helpers keep
every rule's wording the same.
"""

from __future__ import annotations


def a(noun: str) -> str:
    """`a role trust policy`, `an S3 bucket policy`, `an inline user policy`."""
    vowel_sound = noun[:1].lower() in "aeio" or noun.split(" ", 1)[0] in {"S3", "SQS", "SNS"}
    return ("an " if vowel_sound else "a ") + noun


def clip(text: str, limit: int = 80) -> str:
    """The input as it may be quoted in a message: no backticks, at most `limit` characters."""
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_char(char: str) -> str:
    code = f"U+{ord(char):04X}"
    return f"{code} ({char!r})" if char.isprintable() else code
