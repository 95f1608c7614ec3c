"""The what-if language (issue 4, item 3): every form, positions, errors, round trips."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine.errors import PolicyEngineError
from policy_engine.whatif import (
    Assertion,
    PrincipalRef,
    Question,
    Script,
    WhatIfSyntaxError,
    parse_question,
    parse_script,
    render_assertion,
    render_question,
)
from policy_engine.whatif.parser import _parser

BUCKET_OBJECT = "arn:aws:s3:::mybucket/x"

# ------------------------------------------------------------------------- the forms


def test_long_question_with_conditions() -> None:
    q = parse_question("can role/app do s3:GetObject on arn:aws:s3:::mybucket/x when "
                       "aws:SourceIp = 10.1.2.3 and aws:MultiFactorAuthPresent = true")
    assert q.principal == PrincipalRef("role/app", None, "role", name="app")
    assert (q.action, q.resource, q.resource_account) == ("s3:GetObject", BUCKET_OBJECT, None)
    assert dict(q.context) == {"aws:SourceIp": "10.1.2.3", "aws:MultiFactorAuthPresent": True}


def test_in_account_sets_the_resource_account() -> None:
    q = parse_question("can user/john do s3:PutObject on arn:aws:s3:::mybucket/* "
                       "in account 111122223333")
    assert q.resource == "arn:aws:s3:::mybucket/*"
    assert q.resource_account == "111122223333"
    assert q.context == {}


def test_short_assertion() -> None:
    (item,) = parse_script("expect allowed: user/john s3:PutObject arn:aws:s3:::mybucket/*").items
    assert isinstance(item, Assertion)
    assert item.expected == "allowed"
    assert item.question.principal.kind == "user"
    assert item.question.action == "s3:PutObject"


def test_long_assertion_with_quoted_value() -> None:
    (item,) = parse_script(
        "expect denied: can 444455556666:role/auditor do kms:Decrypt on "
        "arn:aws:kms:eu-west-1:111122223333:key/abcd when "
        'kms:ViaService = "s3.eu-west-1.amazonaws.com"').items
    assert isinstance(item, Assertion)
    assert item.expected == "denied"
    assert item.question.principal == PrincipalRef(
        "444455556666:role/auditor", "444455556666", "role", name="auditor")
    assert item.question.context == {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}


def test_role_session_assertion() -> None:
    (item,) = parse_script(
        "expect explicitDeny: role/app as session build-42 ec2:RunInstances "
        "arn:aws:ec2:us-east-1:111122223333:instance/* when aws:RequestedRegion = us-east-1"
    ).items
    assert isinstance(item, Assertion)
    assert item.expected == "explicitDeny"
    assert item.question.principal == PrincipalRef("role/app", None, "role", name="app",
                                                   session_name="build-42")
    assert item.question.context == {"aws:RequestedRegion": "us-east-1"}


def test_anonymous_assertion() -> None:
    (item,) = parse_script("expect implicitDeny: * s3:GetObject arn:aws:s3:::private/x").items
    assert isinstance(item, Assertion)
    assert item.expected == "implicitDeny"
    assert item.question.principal == PrincipalRef("*", None, "anonymous")


@pytest.mark.parametrize(("word", "expected"), [
    ("allowed", "allowed"), ("denied", "denied"), ("explicitDeny", "explicitDeny"),
    ("implicitDeny", "implicitDeny"), ("explicit-deny", "explicitDeny"),
    ("implicit-deny", "implicitDeny"),
])
def test_expectation_words_and_aliases(word: str, expected: str) -> None:
    (item,) = parse_script(f"expect {word}: root s3:GetObject *").items
    assert isinstance(item, Assertion)
    assert item.expected == expected


def test_short_and_long_spellings_are_the_same_question() -> None:
    long = parse_question("can user/john do s3:GetObject on arn:aws:s3:::b/k when s3:x = 1")
    short = parse_question("user/john   s3:GetObject arn:aws:s3:::b/k when s3:x=1")
    assert long == short
    assert hash(long) == hash(short)
    assert long.text != short.text


# ------------------------------------------------------------------------- principals

ACCOUNT = "111122223333"


@pytest.mark.parametrize(("text", "expected"), [
    ("user/john", PrincipalRef("user/john", None, "user", name="john")),
    ("role/app", PrincipalRef("role/app", None, "role", name="app")),
    ("role/service/team/app", PrincipalRef("role/service/team/app", None, "role", name="app",
                                           path="/service/team/")),
    (f"{ACCOUNT}:user/john", PrincipalRef(f"{ACCOUNT}:user/john", ACCOUNT, "user",
                                          name="john")),
    (f"{ACCOUNT}:role/app", PrincipalRef(f"{ACCOUNT}:role/app", ACCOUNT, "role", name="app")),
    (f"{ACCOUNT}:root", PrincipalRef(f"{ACCOUNT}:root", ACCOUNT, "root")),
    ("root", PrincipalRef("root", None, "root")),
    (f"arn:aws:iam::{ACCOUNT}:user/dev/john",
     PrincipalRef(f"arn:aws:iam::{ACCOUNT}:user/dev/john", ACCOUNT, "arn", name="john",
                  path="/dev/")),
    (f"arn:aws:iam::{ACCOUNT}:role/app",
     PrincipalRef(f"arn:aws:iam::{ACCOUNT}:role/app", ACCOUNT, "arn", name="app")),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s-1",
     PrincipalRef(f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s-1", ACCOUNT, "arn", name="app",
                  session_name="s-1")),
    (f"arn:aws:sts::{ACCOUNT}:federated-user/bob",
     PrincipalRef(f"arn:aws:sts::{ACCOUNT}:federated-user/bob", ACCOUNT, "arn", name="bob")),
    (f"arn:aws:iam::{ACCOUNT}:root", PrincipalRef(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT,
                                                 "arn")),
    ("lambda.amazonaws.com", PrincipalRef("lambda.amazonaws.com", None, "service")),
    ("*", PrincipalRef("*", None, "anonymous")),
    ("anonymous", PrincipalRef("anonymous", None, "anonymous")),
])
def test_principal_references(text: str, expected: PrincipalRef) -> None:
    assert parse_question(f"can {text} do s3:GetObject on *").principal == expected
    assert parse_question(f"{text} s3:GetObject *").principal == expected


def test_session_of_a_role_arn() -> None:
    q = parse_question(f"can arn:aws:iam::{ACCOUNT}:role/ops/app as session ci.run@42 "
                       "do s3:GetObject on *")
    assert q.principal == PrincipalRef(f"arn:aws:iam::{ACCOUNT}:role/ops/app", ACCOUNT, "arn",
                                       name="app", path="/ops/", session_name="ci.run@42")


# ------------------------------------------------------------------------- values and keys


def test_unquoted_values_are_typed_and_quoted_ones_are_strings() -> None:
    q = parse_question(
        'can root do s3:GetObject on * when a:t = true and a:f = false and a:i = 42 and '
        'a:n = -7 and a:d = 1.50 and a:ip = 10.1.2.3 and a:z = 012345678901 and '
        'a:qt = "true" and a:qi = "42" and a:word = Yes and a:arn = arn:aws:iam::1:x')
    typed = {key: (type(value), value) for key, value in q.context.items()}
    assert typed == {
        "a:t": (bool, True), "a:f": (bool, False), "a:i": (int, 42), "a:n": (int, -7),
        "a:d": (float, 1.5), "a:ip": (str, "10.1.2.3"), "a:z": (str, "012345678901"),
        "a:qt": (str, "true"), "a:qi": (str, "42"), "a:word": (str, "Yes"),
        "a:arn": (str, "arn:aws:iam::1:x"),
    }


def test_lists_are_tuples_of_typed_values() -> None:
    q = parse_question('can root do s3:GetObject on * when aws:TagKeys = [team, "cost center"]'
                       ' and a:mixed = [1, "1", true, 2.5] and a:none = [ ]')
    assert q.context == {"aws:TagKeys": ("team", "cost center"),
                         "a:mixed": (1, "1", True, 2.5), "a:none": ()}
    assert isinstance(q.context["a:mixed"][1], str)


def test_quoted_strings_keep_spaces_keywords_and_escapes() -> None:
    q = parse_question(r'can root do s3:GetObject on * when a:x = "on do when and \"q\" \\ '
                       r'\n\t#not a comment"')
    assert q.context["a:x"] == 'on do when and "q" \\ \n\t#not a comment'


def test_condition_key_shapes() -> None:
    q = parse_question('can root do s3:ListBucket on arn:aws:s3:::b when '
                       'aws:PrincipalTag/team = dev and s3:prefix = home/ and '
                       'kms:EncryptionContext:purpose = backup and '
                       '"aws:RequestTag/cost center" = "x"')
    assert list(q.context) == ["aws:PrincipalTag/team", "s3:prefix",
                               "kms:EncryptionContext:purpose", "aws:RequestTag/cost center"]


def test_keywords_are_plain_values_where_a_value_is_expected() -> None:
    q = parse_question("can root do s3:GetObject on * when a:x = and and a:y = when and a:z=in")
    assert q.context == {"a:x": "and", "a:y": "when", "a:z": "in"}


def test_context_is_read_only() -> None:
    q = parse_question("can root do s3:GetObject on * when a:x = 1")
    with pytest.raises(TypeError):
        q.context["a:y"] = 2  # type: ignore[index]


# ------------------------------------------------------------------------- nasty ARNs


@pytest.mark.parametrize("resource", [
    "arn:aws:s3:::on/do/when",
    "arn:aws:s3:::do",
    "arn:aws:s3:::b/and/when/in/account",
    "arn:aws:s3:::b/year=2024/k,v#frag",
    "arn:aws:s3:::b/a*b?c",
    "arn:aws:kms:eu-west-1:111122223333:key/when",
    "arn:aws:lambda:us-east-1:111122223333:function:on:do",
])
def test_keywords_inside_arns_are_arn_text(resource: str) -> None:
    q = parse_question(f"can role/on do s3:GetObject on {resource} when aws:x = y")
    assert q.resource == resource
    assert q.principal.name == "on"
    assert q.context == {"aws:x": "y"}


def test_quoted_resource_may_hold_spaces_and_keywords() -> None:
    (item,) = parse_script('expect allowed: user/x s3:GetObject "arn:aws:s3:::b/a and b when c"'
                           " in account 111122223333").items
    assert isinstance(item, Assertion)
    assert item.question.resource == "arn:aws:s3:::b/a and b when c"
    assert item.question.resource_account == "111122223333"


# ------------------------------------------------------------------------- layout, positions


SCRIPT = """\
# access review, March

can role/app do s3:GetObject on arn:aws:s3:::mybucket/x   # a trailing comment
  expect allowed: user/john s3:PutObject arn:aws:s3:::mybucket/*

\texpect denied: can root do kms:Decrypt on *
"""


def test_comments_blank_lines_and_positions() -> None:
    script = parse_script(SCRIPT, source="review.whatif")
    assert script.source == "review.whatif"
    first, second, third = script.items
    assert isinstance(first, Question)
    assert (first.line, first.column) == (3, 1)
    assert first.text == "can role/app do s3:GetObject on arn:aws:s3:::mybucket/x"
    assert isinstance(second, Assertion)
    assert (second.line, second.column) == (4, 3)
    assert (second.question.line, second.question.column) == (4, 19)
    assert second.question.text == "user/john s3:PutObject arn:aws:s3:::mybucket/*"
    assert isinstance(third, Assertion)
    assert (third.line, third.column, third.question.column) == (6, 2, 17)
    assert len(script.questions) == 3
    assert script.assertions == (second, third)


def test_only_comments_and_blank_lines_is_an_empty_script() -> None:
    assert parse_script("# nothing\n\n   \n# here") == Script((), "<script>")


def test_backslash_continues_a_line() -> None:
    script = parse_script("can role/app do s3:GetObject \\\n"
                          "    on arn:aws:s3:::b/x \\  \r\n"
                          "    when aws:x = 1\r\n"
                          "expect allowed: root s3:GetObject *\r\n")
    first, second = script.items
    assert isinstance(first, Question)
    assert first.context == {"aws:x": 1}
    assert first.resource == "arn:aws:s3:::b/x"
    assert (second.line, second.column) == (4, 1)


def test_windows_line_endings() -> None:
    script = parse_script("can root do s3:GetObject on *\r\n\r\nexpect denied: root s3:X *\r\n")
    assert [item.line for item in script.items] == [1, 3]
    assert script.questions[1].action == "s3:X"


# ------------------------------------------------------------------------- errors


def _error(text: str) -> WhatIfSyntaxError:
    with pytest.raises(WhatIfSyntaxError) as info:
        parse_script(text, source="checks.whatif")
    return info.value


def _assert_error(error: WhatIfSyntaxError, line: int, column: int, message: str) -> None:
    assert (error.line, error.column) == (line, column)
    assert message in error.problem.message, error.problem.message
    shown = error.caret_text.split("\n")
    assert shown[1] == " " * (column - 1) + "^"
    assert error.problem.code == "syntax-error"


PREFIX = "# line 1\ncan root do s3:GetObject on *\n"


def test_error_missing_action_long_form() -> None:
    error = _error(PREFIX + "can user/john do on arn:aws:s3:::b/x\n")
    _assert_error(error, 3, 18, "expected an action (like `s3:GetObject`), found `on`")
    assert error.caret_text == "can user/john do on arn:aws:s3:::b/x\n" + " " * 17 + "^"
    assert error.one_line().startswith("checks.whatif:3:18: expected an action")


def test_error_missing_action_short_form() -> None:
    error = _error(PREFIX + "expect allowed: user/john arn:aws:s3:::b/x")
    _assert_error(error, 3, 27, "expected `as session NAME` or an action (like `s3:GetObject`),"
                                " found `arn:aws:s3:::b/x`")


def test_error_missing_action_at_end_of_line() -> None:
    error = _error("can role/x do   # forgot\n")
    _assert_error(error, 1, 14, "expected an action (like `s3:GetObject`), found the end of the "
                                "line")


def test_error_unknown_expectation_word() -> None:
    error = _error(PREFIX + "expect allow: user/john s3:GetObject *\n")
    _assert_error(error, 3, 8, "unknown expectation `allow`: expected allowed, denied, "
                               "explicitDeny or implicitDeny (did you mean `allowed`?)")


def test_error_expectation_words_are_case_sensitive() -> None:
    error = _error("expect ExplicitDeny: root s3:GetObject *")
    _assert_error(error, 1, 8, "did you mean `explicitDeny`?")


def test_error_unterminated_string() -> None:
    error = _error(PREFIX + 'can root do s3:GetObject on * when aws:x = "abc and aws:y = 1\n'
                            "can root do s3:GetObject on *\n")
    _assert_error(error, 3, 44, 'unterminated string: the closing `"` is missing')


def test_error_unknown_escape_points_at_the_escape() -> None:
    error = _error('can root do s3:GetObject on * when aws:x = "ab\\qc"')
    _assert_error(error, 1, 47, "unknown escape `\\q`")


@pytest.mark.parametrize("action", ["s3:Get*", "s3:Get?bject", "*", "s3:*"])
def test_error_wildcard_in_action(action: str) -> None:
    error = _error(PREFIX + f"expect denied: can root do {action} on *")
    _assert_error(error, 3, 28, f"wildcards are not allowed in a question's action: `{action}`")


def test_error_garbage_after_the_resource() -> None:
    error = _error(PREFIX + "can root do s3:GetObject on arn:aws:s3:::b/x please\n")
    _assert_error(error, 3, 46, "expected `in account ACCOUNT`, `when` or the end of the line, "
                                "found `please`")


def test_error_empty_when() -> None:
    error = _error(PREFIX + "can root do s3:GetObject on arn:aws:s3:::b/x when   # nothing\n")
    _assert_error(error, 3, 50, "expected a condition key (like `aws:SourceIp`), found the end "
                                "of the line")


def test_error_when_followed_by_and() -> None:
    error = _error("can root do s3:GetObject on * when and a:b = 1")
    _assert_error(error, 1, 36, "expected a condition key")


def test_error_condition_without_value() -> None:
    error = _error("can root do s3:GetObject on * when a:b = and a:c = 1")
    # `and` is a value here; the error is the stray `a:c`.
    _assert_error(error, 1, 46, "expected `and` or the end of the line, found `a:c`")


def test_error_unknown_principal_and_glued_keywords() -> None:
    _assert_error(_error("can bob do s3:GetObject on *"), 1, 5, "expected a principal")
    _assert_error(_error("canuser/john do s3:GetObject on *"), 1, 1, "found `canuser/john`")
    _assert_error(_error("can root do s3:GetObject on * inaccount 111122223333"), 1, 31,
                  "found `inaccount`")


def test_error_nested_list() -> None:
    _assert_error(_error("can root do s3:GetObject on * when a:b = [1, [2]]"), 1, 46,
                  "expected a value")


def test_error_duplicate_condition_key_is_case_insensitive() -> None:
    error = _error("can root do s3:GetObject on * when aws:SourceIp = 1 and aws:sourceip = 2")
    _assert_error(error, 1, 57, "condition key `aws:sourceip` is given twice")


@pytest.mark.parametrize(("text", "column", "message"), [
    ("can 12345:role/app do s3:GetObject on *", 5, "`12345` is not an account id"),
    ("can role/a//b do s3:GetObject on *", 5, "empty or invalid path segment"),
    ("can user/ do s3:GetObject on *", 5, "does not end in a valid user name"),
    ("can arn:aws:iam::1:user/x do s3:GetObject on *", 5, "has invalid account `1`"),
    ("can arn:aws:s3:::b do s3:GetObject on *", 5, "is not an IAM or STS principal ARN"),
    ("can user/john as session s1 do s3:GetObject on *", 15,
     "`as session` follows a role; `user/john` is not a role"),
    ("can role/app as session x do s3:GetObject on *", 25, "not a valid session name"),
    ("can root do s3:GetObject on mybucket", 29, "expected a resource (an ARN or `*`)"),
    ("can root do s3:GetObject on arn:nope:s3:::b", 29, "unknown partition `nope`"),
    ("can root do s3:GetObject on arn:aws:s3:::b/${aws:username}", 29,
     "contains a policy variable"),
    ("can root do s3:GetObject on * in account 1234", 42, "`1234` is not an account id"),
    ("can root do kms:Decrypt on arn:aws:kms:us-east-1:111122223333:key/k "
     "in account 444455556666", 69, "contradicts the account `111122223333`"),
    ('can root do s3:GetObject on * when "nokey" = 1', 36, "`nokey` is not a condition key"),
    ("can root do s3:GetObject on * when a:b == 1", 41, "expected a value"),
    ("can root do s3:GetObject on *\\x", 30, "a `\\` outside quotes continues a line"),
])
def test_semantic_and_lexical_errors(text: str, column: int, message: str) -> None:
    _assert_error(_error(text), 1, column, message)


def test_caret_keeps_tabs_aligned() -> None:
    error = _error("\tcan root do s3:GetObject on\tnope")
    assert error.caret_text == "\tcan root do s3:GetObject on\tnope\n\t" + " " * 27 + "\t^"


def test_error_is_a_policy_engine_error_with_the_source() -> None:
    with pytest.raises(PolicyEngineError) as info:
        parse_question("can", source="<ask>")
    assert info.value.problems[0].source == "<ask>"
    assert info.value.one_line().startswith("<ask>:1:4: expected a principal")


def test_parse_question_refuses_assertions_several_items_and_nothing() -> None:
    with pytest.raises(WhatIfSyntaxError, match="found an assertion"):
        parse_question("expect allowed: root s3:GetObject *")
    with pytest.raises(WhatIfSyntaxError, match="found a second one") as info:
        parse_question("can root do s3:GetObject on *\n\ncan root do s3:PutObject on *")
    assert (info.value.line, info.value.column) == (3, 1)
    with pytest.raises(WhatIfSyntaxError, match="found nothing"):
        parse_question("  # only a comment\n")


def test_parse_question_allows_comments_around_the_question() -> None:
    q = parse_question("# why\n  can root do s3:GetObject on *  # because\n")
    assert (q.line, q.column) == (2, 3)


# ------------------------------------------------------------------------- the typed API


@pytest.mark.parametrize(("expected", "decision", "accepted"), [
    ("allowed", "allowed", True), ("allowed", "implicitDeny", False),
    ("denied", "explicitDeny", True), ("denied", "implicitDeny", True),
    ("denied", "allowed", False), ("explicitDeny", "explicitDeny", True),
    ("explicitDeny", "implicitDeny", False), ("implicitDeny", "implicitDeny", True),
    ("implicitDeny", "explicitDeny", False),
])
def test_assertion_accepts(expected: str, decision: str, accepted: bool) -> None:
    (item,) = parse_script(f"expect {expected}: root s3:GetObject *").items
    assert isinstance(item, Assertion)
    assert item.accepts(decision) is accepted


def test_assertion_accepts_refuses_unknown_decisions() -> None:
    (item,) = parse_script("expect denied: root s3:GetObject *").items
    assert isinstance(item, Assertion)
    with pytest.raises(ValueError, match="unknown decision"):
        item.accepts("maybe")


def test_questions_built_in_code_are_frozen_and_normalised() -> None:
    q = Question(PrincipalRef("root", None, "root"), "s3:GetObject", "*",
                 context={"aws:TagKeys": ["a", "b"]})
    assert q.context == {"aws:TagKeys": ("a", "b")}
    assert parse_question(render_question(q)) == q
    with pytest.raises(AttributeError):
        q.action = "s3:PutObject"  # type: ignore[misc]


def test_parser_is_built_once_and_writes_no_cache_file() -> None:
    assert _parser() is _parser()
    package = Path(str(resources.files("policy_engine.whatif")))
    assert (package / "grammar.lark").is_file()
    assert not [p for p in package.iterdir() if p.suffix in {".cache", ".pickle"}
                or p.name.startswith(".lark_cache")]


# ------------------------------------------------------------------------- round trips

ACCOUNTS = st.from_regex(r"[0-9]{12}", fullmatch=True)
NAMES = st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,16}", fullmatch=True)
PATH_SEGMENTS = st.lists(st.from_regex(r"[A-Za-z0-9!#$%&'()*+,.:;<=>?@^_`{|}~-]{1,6}",
                                       fullmatch=True), max_size=3)
SESSIONS = st.from_regex(r"[A-Za-z0-9+=,.@_-]{2,16}", fullmatch=True)
PARTITIONS = st.sampled_from(["aws", "aws-cn", "aws-us-gov"])


@st.composite
def principals(draw: st.DrawFn) -> PrincipalRef:
    kind = draw(st.sampled_from(["short", "root", "arn-iam", "arn-root", "assumed", "federated",
                                 "service", "anonymous"]))
    account = draw(st.none() | ACCOUNTS)
    name = draw(NAMES)
    segments = draw(PATH_SEGMENTS)
    path = "/" + "".join(s + "/" for s in segments) if segments else None
    tail = "/".join([*segments, name])
    session = draw(st.none() | SESSIONS)
    if kind == "short":
        which = draw(st.sampled_from(["user", "role"]))
        text = (f"{account}:" if account else "") + f"{which}/{tail}"
        return PrincipalRef(text, account, which, name=name, path=path,  # type: ignore[arg-type]
                            session_name=session if which == "role" else None)
    if kind == "root":
        return PrincipalRef(f"{account}:root" if account else "root", account, "root")
    account = account or "111122223333"
    partition = draw(PARTITIONS)
    if kind == "arn-iam":
        which = draw(st.sampled_from(["user", "role"]))
        return PrincipalRef(f"arn:{partition}:iam::{account}:{which}/{tail}", account, "arn",
                            name=name, path=path,
                            session_name=session if which == "role" else None)
    if kind == "arn-root":
        return PrincipalRef(f"arn:{partition}:iam::{account}:root", account, "arn")
    if kind == "assumed":
        session = session or "s1"
        return PrincipalRef(f"arn:{partition}:sts::{account}:assumed-role/{name}/{session}",
                            account, "arn", name=name, session_name=session)
    if kind == "federated":
        return PrincipalRef(f"arn:{partition}:sts::{account}:federated-user/{name}", account,
                            "arn", name=name)
    if kind == "service":
        text = draw(st.sampled_from(["lambda.amazonaws.com", "s3.amazonaws.com",
                                     "ec2.amazonaws.com.cn", "logs.us-east-1.amazonaws.com"]))
        return PrincipalRef(text, None, "service")
    return PrincipalRef(draw(st.sampled_from(["*", "anonymous"])), None, "anonymous")


ACTIONS = st.builds(lambda s, a: f"{s}:{a}",
                    st.from_regex(r"[a-z0-9][a-z0-9-]{0,9}", fullmatch=True),
                    st.from_regex(r"[A-Za-z0-9]{1,20}", fullmatch=True))
ANY_TEXT = st.text(max_size=12).filter(lambda s: "${" not in s)
NASTY_WORDS = st.sampled_from(["on", "do", "when", "and", "in", "account", "can", "expect",
                               " and ", "#", '"', "\\", "=", ",", "[", "]", " ", "\t", "\n"])
KEY_TEXT = st.lists(NASTY_WORDS | ANY_TEXT, max_size=4).map("".join)


@st.composite
def resources_and_accounts(draw: st.DrawFn) -> tuple[str, str | None]:
    kind = draw(st.sampled_from(["star", "s3", "kms", "ec2"]))
    if kind == "star":
        return "*", draw(st.none() | ACCOUNTS)
    if kind == "s3":
        bucket = draw(st.sampled_from(["mybucket", "on", "do", "when", "b.and.c"]))
        key = draw(KEY_TEXT)
        return f"arn:aws:s3:::{bucket}/{key}", draw(st.none() | ACCOUNTS)
    account = draw(ACCOUNTS)
    resource_id = draw(KEY_TEXT.filter(bool))
    service, kind_name = ("kms", "key") if kind == "kms" else ("ec2", "instance")
    arn = f"arn:aws:{service}:us-east-1:{account}:{kind_name}/{resource_id}"
    return arn, draw(st.sampled_from([None, account]))


SCALARS = (st.text(max_size=10) | NASTY_WORDS | st.booleans() | st.integers()
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.sampled_from(["true", "false", "10", "-3", "1.5", "007", "10.1.2.3", ""]))
VALUES = SCALARS | st.lists(SCALARS, max_size=3).map(tuple)
KEYS = (st.sampled_from(["aws:SourceIp", "aws:PrincipalTag/team", "s3:prefix",
                         "kms:EncryptionContext:purpose", "aws:RequestTag/cost center",
                         "aws:ResourceTag/a=b", 'x:"q"', "x:when", "x:and"])
        | st.builds(lambda p, n: f"{p}:{n}",
                    st.from_regex(r"[a-z0-9][a-z0-9-]{0,5}", fullmatch=True),
                    st.text(min_size=1, max_size=10).filter(lambda s: bool(re.match(r"\S", s)))))


@st.composite
def questions(draw: st.DrawFn) -> Question:
    resource, account = draw(resources_and_accounts())
    keys = draw(st.lists(KEYS, max_size=4, unique_by=str.lower))
    context = {key: draw(VALUES) for key in keys}
    return Question(draw(principals()), draw(ACTIONS), resource, account, context)


def _typed(value: object) -> object:
    if isinstance(value, tuple):
        return tuple(_typed(v) for v in value)
    return (type(value).__name__, value)


def _same(parsed: Question, original: Question) -> None:
    assert parsed == original
    assert {k: _typed(v) for k, v in parsed.context.items()} == \
        {k: _typed(v) for k, v in original.context.items()}


@settings(max_examples=300, deadline=None)
@given(questions(), st.sampled_from(["long", "short"]))
def test_rendered_questions_parse_back_equal(question: Question, form: str) -> None:
    text = render_question(question, form=form)  # type: ignore[arg-type]
    parsed = parse_question(text)
    _same(parsed, question)
    assert parsed.text == text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["allowed", "denied", "explicitDeny",
                                           "implicitDeny"]), questions()), max_size=4))
def test_rendered_assertion_files_parse_back_equal(items: list[tuple[str, Question]]) -> None:
    assertions = [Assertion(expected, question) for expected, question in items]  # type: ignore[arg-type]
    text = "# generated\n" + "\n\n".join(render_assertion(a) for a in assertions)
    script = parse_script(text)
    assert script.items == tuple(assertions)
    for index, item in enumerate(script.items):
        assert isinstance(item, Assertion)
        assert item.line == 2 + 2 * index
        _same(item.question, assertions[index].question)
