"""What a question names, checked against AWS's vocabulary before it is evaluated.

One rule for every front end that reads a request (case files, batch lines, `ask`,
`check`, `who-can`, `what-can`): an action the service authorization reference does not
define is an error with the closest real name; a resource that fits none of the action's
resource types is a warning, since AWS never receives such a request and its answer says
little. A context value given for a key whose type is known (the global keys' table, the
catalogue's service keys) must be of that type: `aws:SecureTransport = ture` would
otherwise be read as false and flip the answer without a word. The answers are cached
per distinct text: batch lines repeat them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from policy_engine import catalog
from policy_engine.arn import split_arn
from policy_engine.errors import Problem, ProblemCode, join_pointer
from policy_engine.global_keys import KeyType, global_key
from policy_engine.model import values


def question_problems(action: str, context: Mapping[str, object] | None, *,
                      source: str = "<input>", pointer: str = "/request") -> list[Problem]:
    """Everything wrong with what a request names: its action, then its context values."""
    problem = action_problem(action, source=source, pointer=join_pointer(pointer, "action"))
    found = [] if problem is None else [problem]
    return found + context_problems(context, source=source,
                                    pointer=join_pointer(pointer, "context"))


def action_problem(action: str, *, source: str = "<input>",
                   pointer: str = "/request/action") -> Problem | None:
    """An error when the request's action is not in the catalogue."""
    message = catalog.unknown_action_message(action)
    if message is None:
        return None
    return Problem(ProblemCode.INVALID_ACTION, message, pointer, source=source)


@lru_cache(maxsize=65536)
def resource_warning(action: str, resource: str) -> str | None:
    """A note when `resource` is of no type `action` acts on; None when it fits."""
    return catalog.resource_type_warning(action, resource)


_FITS: Mapping[KeyType, tuple[Callable[[str], Any], str]] = {
    KeyType.BOOL: (values.parse_bool, values.BOOL_EXPECTED),
    KeyType.NUMERIC: (values.parse_number, values.NUMBER_EXPECTED),
    KeyType.DATE: (values.parse_date, values.DATE_EXPECTED),
    KeyType.IP_ADDRESS: (values.parse_address, "an IP address"),
    KeyType.ARN: (split_arn, "an ARN (`arn:partition:service:region:account:resource`)"),
}


def context_problems(context: Mapping[str, object] | None, *, source: str = "<input>",
                     pointer: str = "/request/context") -> list[Problem]:
    """An error for each context value that does not fit its key's documented type."""
    problems: list[Problem] = []
    for key, value in (context or {}).items():
        items = value if isinstance(value, list | tuple) else (value,)
        for item in items:
            message = _value_problem(key, type(item), item)
            if message is not None:
                problems.append(Problem(ProblemCode.INVALID_VALUE, message,
                                        join_pointer(pointer, key), source=source))
                break
    return problems


@lru_cache(maxsize=65536)
def _value_problem(key: str, _kind: type, value: object) -> str | None:
    # The type is part of the cache key: True == 1, but `true` and `1` differ here.
    spec = catalog.condition_key(key)
    if spec is None or spec.type is KeyType.STRING:
        return None
    if spec.type is KeyType.ARN and global_key(key) is None:
        # The catalogue types some service keys ARN whose values are not ARNs
        # (ec2:InstancePlatform holds `Windows`): only the global table's ARN keys, read
        # off AWS's page, are held to it. A refused valid value is worse than a missed typo.
        return None
    parse, expected = _FITS[spec.type]
    if spec.type is KeyType.BOOL and isinstance(value, bool):
        return None
    if spec.type is not KeyType.BOOL and isinstance(value, bool):
        return f"`{key}` takes {expected}, not `{str(value).lower()}`"
    if parse(values.canonical_text(value)) is not None:
        return None
    return f"`{key}` takes {expected}, not `{values.canonical_text(value)}`"
