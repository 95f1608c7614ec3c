"""What a question names, checked against AWS's vocabulary before it is evaluated.

One rule for every front end that reads a request (case files, batch lines, `ask`,
`check`, `who-can`, `what-can`): an action the service authorization reference does not
define is an error with the closest real name; a resource that fits none of the action's
resource types is a warning, since AWS never receives such a request and its answer says
little. The answers are cached per distinct text: batch lines repeat them.
"""

from __future__ import annotations

from functools import lru_cache

from policy_engine import catalog
from policy_engine.errors import Problem, ProblemCode


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
