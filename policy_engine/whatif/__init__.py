"""The what-if language: questions and assertions about authorization decisions.

One item per line; `#` (at a line's start or after a space) starts a comment, blank lines
are skipped, a `\\` at the very end of a line continues the item on the next one.

    can PRINCIPAL do ACTION on RESOURCE [in account ACCOUNT] [when KEY = VALUE (and ...)*]
    PRINCIPAL ACTION RESOURCE [in account ACCOUNT] [when ...]          (the short form)
    expect allowed|denied|explicitDeny|implicitDeny: QUESTION          (either form)

- PRINCIPAL: `user/NAME`, `role/NAME`, `role/PATH/NAME`, `ACCOUNT:user/NAME`,
  `ACCOUNT:role/NAME`, `ACCOUNT:root`, `root`, an IAM or STS ARN (user, role, root,
  assumed-role session, federated user), a service principal (`lambda.amazonaws.com`),
  `*` or `anonymous`. A role (short or ARN) may be followed by `as session NAME`.
  Session tags are written as context: `when aws:PrincipalTag/team = dev`.
- ACTION: one `service:Action`, never a wildcard.
- RESOURCE: an ARN (any characters but spaces, quotes and backslashes; `*` and `?` are
  kept as written), `*`, or a `"quoted ARN"` when it holds spaces. No policy variables.
- `in account` gives the resource's account (S3 ARNs carry none); it must agree with the
  account in the ARN when there is one.
- KEY: `service:name` (`aws:PrincipalTag/team`, `kms:EncryptionContext:purpose`), or
  quoted when it holds spaces, `=` or brackets. Keys are case-insensitive: one key once.
- VALUE: a bare word (`true`/`false` become booleans, `42`/`-7` integers and `1.5`
  decimals; digits with a leading zero, like `012345678901`, stay a string), a
  `"quoted string"` (always a string; escapes `\\"`, `\\\\`, `\\n`, `\\r`, `\\t`) or a list
  `[v1, v2]` (a multivalued key, read as a tuple).
- `explicit-deny` and `implicit-deny` are accepted for `explicitDeny` and `implicitDeny`.

`parse_question` reads exactly one question (the `ask` command), `parse_script` a whole
assertion file. `render_question` and `render_assertion` write items back in a form that
parses to an equal item. Every failure is a `WhatIfSyntaxError` with line, column and
`caret_text`.
"""

from policy_engine.whatif.model import (
    EXPECTATIONS,
    Assertion,
    ContextValue,
    Expectation,
    PrincipalKind,
    PrincipalRef,
    Question,
    Scalar,
    Script,
)
from policy_engine.whatif.parser import (
    WhatIfSyntaxError,
    parse_question,
    parse_script,
    render_assertion,
    render_principal,
    render_question,
    render_value,
)
from policy_engine.whatif.transformer import resource_problem

__all__ = [
    "EXPECTATIONS",
    "Assertion",
    "ContextValue",
    "Expectation",
    "PrincipalKind",
    "PrincipalRef",
    "Question",
    "Scalar",
    "Script",
    "WhatIfSyntaxError",
    "parse_question",
    "parse_script",
    "render_assertion",
    "render_principal",
    "render_question",
    "render_value",
    "resource_problem",
]
