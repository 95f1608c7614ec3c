"""Whether a Resource pattern can name a resource of a given type: the overlap of an IAM
wildcard pattern (`*`, `?`, policy variables) with an ARN format of the service
authorization reference (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`).

Both are regular languages, so the question is decided exactly: the format is an
automaton whose states are its token positions, and the pattern is read once, left to
right, carrying the set of positions (a bit mask) the format can be at. A `*` can be
read as any text, so it opens every later position at once. The work is one pass over
the pattern with a few integer operations per character; no regular expression, so
nothing can backtrack.

How a format variable is read (lenient: a false "no overlap" would be a false finding):
- a variable in the middle of a format (`${TableName}` in `table/${TableName}/index/…`)
  holds any text without a colon;
- the last variable holds any text (S3 object keys, IAM paths, log group names), except
  when another type of the service extends the format with `/…` (the bucket of
  `${BucketName}` vs. the object of `${BucketName}/${ObjectName}`): then it holds no slash,
  since the longer format is the type of such names;
- a variable in the partition, region or account segment holds no colon and no slash;
- a variable may be empty (an ARN written without its Region still names the type).
A policy variable in the pattern (`${aws:username}`) may stand for any text, like `*`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

_VARIABLE = re.compile(r"\$\{[^}]*\}")


class VarClass(Enum):
    """What a format variable may hold: the value is the character it excludes."""

    NO_COLON = ":"
    NO_SLASH = "/"
    SEGMENT = ":/"  # partition, region, account: never a colon or a slash
    ANY = ""


@dataclass(frozen=True, slots=True)
class FormatToken:
    """A literal character, or a variable of the given class (`literal` empty)."""

    literal: str = ""
    variable: VarClass | None = None

    def admits(self, char: str) -> bool:
        if self.variable is None:
            return char == self.literal
        return char not in self.variable.value


@dataclass(frozen=True, eq=False)
class ArnFormat:
    """A format as tokens, with the bit masks the overlap test reads (bit j: token j).
    Compared by identity: the catalogue builds each format once."""

    tokens: tuple[FormatToken, ...]
    literal_at: dict[str, int] = field(init=False, repr=False, compare=False)
    literals: int = field(init=False, repr=False, compare=False)
    variables: int = field(init=False, repr=False, compare=False)
    excluded: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        literal_at: dict[str, int] = {}
        excluded: dict[str, int] = {}
        literals = variables = 0
        for position, token in enumerate(self.tokens):
            bit = 1 << position
            if token.variable is None:
                literal_at[token.literal] = literal_at.get(token.literal, 0) | bit
                literals |= bit
            else:
                variables |= bit
                for char in token.variable.value:
                    excluded[char] = excluded.get(char, 0) | bit
        object.__setattr__(self, "literal_at", literal_at)
        object.__setattr__(self, "literals", literals)
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "excluded", excluded)

    def _closed(self, mask: int) -> int:
        """Add the positions reached by ending variables (a variable may be empty)."""
        while True:
            grown = mask | ((mask & self.variables) << 1)
            if grown == mask:
                return mask
            mask = grown


def compile_format(arn_format: str, *, slash_extended: bool) -> ArnFormat:
    """The format as tokens; `slash_extended`: another type's format is this one + `/…`."""
    pieces = _VARIABLE.split(arn_format)
    tokens: list[FormatToken] = []
    colons = 0
    for index, literal in enumerate(pieces):
        tokens.extend(FormatToken(literal=char) for char in literal)
        colons += literal.count(":")
        if index < len(pieces) - 1:
            last = index == len(pieces) - 2 and not pieces[-1]
            if colons < 5:
                kind = VarClass.SEGMENT
            elif last:
                kind = VarClass.NO_SLASH if slash_extended else VarClass.ANY
            else:
                kind = VarClass.NO_COLON
            tokens.append(FormatToken(variable=kind))
    return ArnFormat(tuple(tokens))


@lru_cache(maxsize=65536)
def overlaps(pattern: str, arn_format: ArnFormat) -> bool:
    """Whether some ARN matches both the wildcard pattern and the format."""
    end = 1 << len(arn_format.tokens)
    everything = (end << 1) - 1
    literal_at, excluded = arn_format.literal_at, arn_format.excluded
    literals, variables = arn_format.literals, arn_format.variables
    closed = arn_format._closed
    mask = closed(1)
    for char in _VARIABLE.sub("*", pattern):  # a policy variable may be any text
        if char == "*":  # any text: every position from the first one on
            mask = everything & ~((mask & -mask) - 1)
        elif char == "?":
            mask = closed(((mask & literals) << 1) | (mask & variables))
        else:
            admitting = variables & ~excluded.get(char, 0)
            mask = closed(((mask & literal_at.get(char, 0)) << 1) | (mask & admitting))
        if not mask:
            return False
    return bool(mask & end)
