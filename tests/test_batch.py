"""`policy_engine.batch`, through its public functions and `simulate --batch`.

Only behaviour is pinned here (what comes out for what goes in), not how the module gets
there, so these tests hold while its internals change.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from policy_engine.batch import BatchItem, evaluate_file, evaluate_lines, write_batch
from policy_engine.case import parse_case_value
from policy_engine.engine.evaluate import evaluate

ACCOUNT = "111122223333"
JOHN = f"arn:aws:iam::{ACCOUNT}:user/john"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1"
OBJECT = "arn:aws:s3:::mybucket/photo.jpg"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

ALLOW_GET = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::mybucket/*"}]}
DENY_PHOTOS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoPhotos", "Effect": "Deny", "Action": "s3:*",
     "Resource": "arn:aws:s3:::mybucket/*.jpg"}]}
ALLOW_UNTIL_2030 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}]}
PUBLIC_READ = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::mybucket/*"}]}
KEY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AccountIam", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"}]}
ALLOW_DECRYPT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}]}


def request(**overrides: Any) -> dict[str, Any]:
    value = {"principal": JOHN, "action": "s3:GetObject", "resource": OBJECT,
             "resource_account": ACCOUNT}
    value.update(overrides)
    return value


def case(policies: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    """A case whose `request` comes first (the shape the batch fast path reads)."""
    value: dict[str, Any] = {"request": request(**overrides.pop("request", {})),
                             "identity_policies": [ALLOW_GET] if policies is None else policies}
    value.update(overrides)
    return value


def request_last(value: dict[str, Any]) -> dict[str, Any]:
    """The same case with `request` as its last key (the shape the fast path passes by)."""
    return {**{k: v for k, v in value.items() if k != "request"}, "request": value["request"]}


ALLOWED = case()
IMPLICIT = case(request={"action": "s3:PutObject"})
EXPLICIT = case([ALLOW_GET, DENY_PHOTOS])
BAD_KEY = {**case(), "identity_policy": []}

# Cases chosen so that consecutive lines share their policy text but not their request:
# whatever the batch reuses between such lines must not change any decision or error.
VARIED = [
    ALLOWED,
    IMPLICIT,
    case(request={"resource": "arn:aws:s3:::mybucket/notes.txt"}),
    EXPLICIT,
    case([ALLOW_GET, DENY_PHOTOS], request={"resource": "arn:aws:s3:::mybucket/a.txt"}),
    case([ALLOW_DECRYPT], request={"action": "kms:Decrypt", "resource": KEY},
         resource_policy=KEY_POLICY),
    case([ALLOW_DECRYPT], request={"action": "kms:Decrypt", "resource": KEY}),
    case(request={"principal": SESSION}, session_policy=ALLOW_GET),
    case(request={"principal": SESSION, "context": {"aws:SourceIp": "10.1.2.3",
                                                    "aws:TagKeys": ["env", "team"]}},
         session_policy=DENY_PHOTOS),
    UNTIL_2030 := case([ALLOW_UNTIL_2030]),
    case([], request={"principal": "*"}, resource_policy=PUBLIC_READ),
    case([], request={"principal": "*", "action": "s3:PutObject"},
         resource_policy=PUBLIC_READ),
]
VARIED_DECISIONS = ["allowed", "implicitDeny", "allowed", "explicitDeny", "allowed",
                    "allowed", "implicitDeny", "allowed", "explicitDeny", "allowed",
                    "allowed", "implicitDeny"]


def jsonl(*values: dict[str, Any] | str) -> str:
    """One line per value; strings are written as they are (blank or broken lines)."""
    return "".join((v if isinstance(v, str) else json.dumps(v)) + "\n" for v in values)


def decisions(items: list[BatchItem]) -> list[str | None]:
    return [None if item.result is None else item.result.decision.value for item in items]


def library_decision(value: dict[str, Any]) -> str:
    parsed = parse_case_value(value, now=NOW)
    return evaluate(parsed.request, parsed.policies).decision.value


def test_test_data_decides_as_written() -> None:
    """The decisions below are the library's own for these cases, and all three occur."""
    assert [library_decision(v) for v in VARIED] == VARIED_DECISIONS
    assert set(VARIED_DECISIONS) == {"allowed", "implicitDeny", "explicitDeny"}


# ------------------------------------------------------------------------ evaluate_lines


def test_one_result_per_line_in_input_order() -> None:
    items = list(evaluate_lines(jsonl(*VARIED).splitlines(keepends=True), now=NOW))
    assert [item.line_number for item in items] == list(range(1, len(VARIED) + 1))
    assert decisions(items) == VARIED_DECISIONS
    assert all(item.error is None for item in items)


@pytest.mark.parametrize("blank", ["", "\n", "   \n", "\t \r\n", "\r\n"])
def test_blank_lines_are_skipped_but_still_counted(blank: str) -> None:
    lines = [json.dumps(ALLOWED) + "\n", blank, json.dumps(IMPLICIT) + "\n"]
    items = list(evaluate_lines(lines, now=NOW))
    assert [item.line_number for item in items] == [1, 3]
    assert decisions(items) == ["allowed", "implicitDeny"]


def test_first_line_numbers_a_part_of_a_file() -> None:
    lines = [json.dumps(ALLOWED), "{broken"]
    items = list(evaluate_lines(lines, source="part.jsonl", now=NOW, first_line=41))
    assert [item.line_number for item in items] == [41, 42]
    assert items[1].error is not None
    assert items[1].error.one_line().startswith("part.jsonl:42:")


BAD_LINES = {
    # file, line of the batch, column within it: the location is not doubled
    "not JSON": ("{broken", "part.jsonl:2:2: "),
    "unknown case key": (json.dumps(BAD_KEY), "unknown key `identity_policy`"),
    "unknown request key": (json.dumps(case(request={"princpal": "x"})),
                            "request.princpal: unknown key `princpal`"),
    "bad principal": (json.dumps(case(request={"principal": "arn:aws:iam::12:user/x"})),
                      "has invalid account `12`"),
    "session policy for a user": (json.dumps(case(session_policy=ALLOW_GET)),
                                  "session_policy: a session policy applies only to"),
    "a list, not an object": ("[1, 2]", "part.jsonl:2"),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_a_bad_line_is_an_error_naming_its_line_and_the_rest_still_run(name: str) -> None:
    line, fragment = BAD_LINES[name]
    items = list(evaluate_lines([json.dumps(ALLOWED), line, json.dumps(IMPLICIT)],
                                source="part.jsonl", now=NOW))
    assert decisions(items) == ["allowed", None, "implicitDeny"]
    error = items[1].error
    assert error is not None and items[1].result is None
    assert error.one_line().startswith("part.jsonl:2")
    assert fragment in error.one_line()


def test_now_is_the_request_time_when_the_case_gives_none() -> None:
    line = [json.dumps(case([ALLOW_UNTIL_2030]))]
    later = datetime(2031, 1, 1, tzinfo=UTC)
    assert decisions(list(evaluate_lines(line, now=NOW))) == ["allowed"]
    assert decisions(list(evaluate_lines(line, now=later))) == ["implicitDeny"]
    pinned = [json.dumps(case([ALLOW_UNTIL_2030],
                              request={"context": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}))]
    assert decisions(list(evaluate_lines(pinned, now=later))) == ["allowed"]


# ------------------------------------------------ the request-first shape and the other one


def _dicts(items: list[BatchItem]) -> list[Any]:
    return [item.result.to_dict() if item.result is not None else item.error.one_line()
            for item in items]  # type: ignore[union-attr]


@pytest.mark.parametrize("spacing", ["compact", "spaced", "indented-keys"])
def test_request_first_and_request_last_lines_give_identical_results(spacing: str) -> None:
    """A line starting with its request may take a shortcut; any other key order may not.
    Both must give the same decision and the same full explanation, line for line."""
    dump = {"compact": lambda v: json.dumps(v, separators=(",", ":")),
            "spaced": json.dumps,
            "indented-keys": lambda v: "  " + json.dumps(v).replace('{"', '{ "')}[spacing]
    first = [dump(v) for v in VARIED]
    last = [dump(request_last(v)) for v in VARIED]
    from_first = list(evaluate_lines(first, now=NOW))
    from_last = list(evaluate_lines(last, now=NOW))
    assert decisions(from_first) == decisions(from_last) == VARIED_DECISIONS
    assert _dicts(from_first) == _dicts(from_last)


def test_both_shapes_agree_with_the_library_on_every_explanation() -> None:
    for value in VARIED:
        parsed = parse_case_value(value, now=NOW)
        expected = evaluate(parsed.request, parsed.policies).to_dict()
        for shape in (value, request_last(value)):
            (item,) = evaluate_lines([json.dumps(shape)], now=NOW)
            assert item.result is not None and item.result.to_dict() == expected


def test_lines_sharing_policies_are_still_judged_by_their_own_request() -> None:
    """Identical policy text after different requests: a session policy is fine for a
    role session and an error for a user, in either order, however often repeated."""
    for_session = case(request={"principal": SESSION}, session_policy=ALLOW_GET)
    for_user = case(session_policy=ALLOW_GET)
    lines = [json.dumps(v) for v in (for_session, for_user, for_session, for_user, for_user)]
    items = list(evaluate_lines(lines, source="b.jsonl", now=NOW))
    assert decisions(items) == ["allowed", None, "allowed", None, None]
    assert [item.error.one_line() for item in items if item.error] == [
        f"b.jsonl:{n}: session_policy: a session policy applies only to an assumed-role or "
        "federated-user session; the principal is a user" for n in (2, 4, 5)]


@pytest.mark.parametrize("bad_request", [
    {"princpal": JOHN},
    {"context": {"aws:SourceIp": {"ip": "10.1.2.3"}}},
    {"context": {"aws:TagKeys": [["nested"]]}},
    {"resource_account": 111122223333},
    {"principal": "arn:aws:iam::12:user/x"},
    {"resource": "mybucket/photo.jpg"},
])
def test_a_bad_request_gives_the_same_error_in_both_shapes(bad_request: dict[str, Any]) -> None:
    value = case(request=bad_request)
    first, last = (next(evaluate_lines([json.dumps(v)], source="b.jsonl", now=NOW))
                   for v in (value, request_last(value)))
    assert first.error is not None and last.error is not None
    assert first.error.one_line() == last.error.one_line()
    assert first.error.one_line().startswith("b.jsonl:1: request.")


# ------------------------------------------------------------------------ evaluate_file


def _write(tmp_path: Path, text: str, name: str = "cases.jsonl") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


def test_evaluate_file_renders_each_line_or_its_error(tmp_path: Path) -> None:
    path = _write(tmp_path, jsonl(ALLOWED, "", "{broken", EXPLICIT))
    lines = list(evaluate_file(path, now=NOW))
    assert [(line.number, line.decision, line.is_error) for line in lines] == [
        (1, "allowed", False), (3, None, True), (4, "explicitDeny", False)]
    assert lines[1].text.startswith(f"{path}:3:")
    brief = json.loads(lines[2].text)
    assert brief == {"line": 4, "decision": "explicitDeny", "explanation": {
        "decided_by": brief["explanation"]["decided_by"],
        "reason": brief["explanation"]["reason"],
        "deciding_policy": brief["explanation"]["deciding_policy"],
        "deciding_statement": brief["explanation"]["deciding_statement"]}}
    assert "statements" not in lines[2].text


def test_evaluate_file_with_explain_has_the_library_explanation(tmp_path: Path) -> None:
    path = _write(tmp_path, jsonl(EXPLICIT))
    (line,) = evaluate_file(path, explain=True, now=NOW)
    parsed = parse_case_value(EXPLICIT, now=NOW)
    expected = {"line": 1, **evaluate(parsed.request, parsed.policies).to_dict()}
    assert json.loads(line.text) == expected


def test_crlf_files_read_like_lf_files(tmp_path: Path) -> None:
    text = jsonl(*VARIED, "", "{broken")
    lf = _write(tmp_path, text, "lf.jsonl")
    crlf = _write(tmp_path, text.replace("\n", "\r\n"), "crlf.jsonl")
    from_lf, from_crlf = (
        [(line.number, line.decision, line.text.replace(path, "FILE"))
         for line in evaluate_file(path, now=NOW)] for path in (lf, crlf))
    assert from_lf == from_crlf
    assert [decision for _, decision, _ in from_lf] == [*VARIED_DECISIONS, None]


# ------------------------------------------------------------------------ write_batch


MIXED = [ALLOWED, "", "{broken", IMPLICIT, "   ", BAD_KEY, EXPLICIT, ALLOWED]


def _write_batch(path: str, **options: Any) -> tuple[str, str, Any]:
    out, err = io.StringIO(), io.StringIO()
    summary = write_batch(path, out, err, now=NOW, **options)
    return out.getvalue(), err.getvalue(), summary


def test_write_batch_writes_results_placeholders_and_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, jsonl(*MIXED))
    out, err, summary = _write_batch(path)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row.get("decision") for row in rows] == [
        "allowed", None, "implicitDeny", None, "explicitDeny", "allowed"]
    assert rows[1] == {"line": 3, "error": "invalid case"}
    assert rows[3] == {"line": 6, "error": "invalid case"}
    errors = err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {path}:3:")
    assert errors[1].startswith(f"error: {path}:6: ") and "identity_policy" in errors[1]
    assert (summary.cases, summary.bad_cases, summary.mismatches) == (6, 2, 0)


def test_write_batch_counts_decisions_that_differ_from_expect(tmp_path: Path) -> None:
    path = _write(tmp_path, jsonl(*VARIED))
    _, _, summary = _write_batch(path, expect="allowed")
    assert summary.mismatches == VARIED_DECISIONS.count("implicitDeny") + \
        VARIED_DECISIONS.count("explicitDeny")
    _, _, summary = _write_batch(path, expect="explicitDeny")
    assert summary.mismatches == len(VARIED) - VARIED_DECISIONS.count("explicitDeny") == 10
    assert (summary.cases, summary.bad_cases) == (len(VARIED), 0)


def test_write_batch_explain_prints_every_statement(tmp_path: Path) -> None:
    path = _write(tmp_path, jsonl(EXPLICIT))
    brief, _, _ = _write_batch(path)
    full, _, _ = _write_batch(path, explain=True)
    assert json.loads(brief)["decision"] == json.loads(full)["decision"] == "explicitDeny"
    sids = [s.get("sid") for p in json.loads(full)["explanation"]["policies"]
            for s in p["statements"]]
    assert sids == ["Read", "NoPhotos"]
    assert "policies" not in json.loads(brief)["explanation"]


def _many(count: int, cases: list[dict[str, Any]] = VARIED) -> str:
    """A file with bad and blank lines sprinkled at irregular places among good ones."""
    values: list[dict[str, Any] | str] = []
    for i in range(count):
        values.append(cases[i % len(cases)])
        if i % 13 == 4:
            values.append("{broken")
        if i % 17 == 9:
            values.append("")
    return jsonl(*values)


@pytest.mark.parametrize("jobs", [2, 3, 7])
def test_workers_write_exactly_what_one_process_writes(tmp_path: Path, jobs: int) -> None:
    path = _write(tmp_path, _many(60))
    single = _write_batch(path, jobs=1, expect="allowed")
    split = _write_batch(path, jobs=jobs, expect="allowed")
    assert split == single
    out, err, summary = single
    assert summary.bad_cases == err.count("\n") == out.count('"error"') > 0
    assert summary.cases == out.count("\n") == 60 + summary.bad_cases


def test_more_workers_than_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, jsonl(ALLOWED, "{broken", IMPLICIT))
    assert _write_batch(path, jobs=8) == _write_batch(path, jobs=1)


# ------------------------------------------------------------------------ through the CLI


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = shutil.which("policy-engine") or str(Path(sys.executable).parent / "policy-engine")
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_cli_batch_exit_codes(tmp_path: Path) -> None:
    """0 ran; 1 a decision differs from --expect; 2 a line is bad input (it wins over 1)."""
    good = _write(tmp_path, jsonl(ALLOWED, "", ALLOWED), "good.jsonl")
    bad = _write(tmp_path, jsonl(ALLOWED, "{broken", IMPLICIT), "bad.jsonl")
    assert _cli("simulate", "--batch", good).returncode == 0
    assert _cli("simulate", "--batch", good, "--expect", "allowed").returncode == 0
    assert _cli("simulate", "--batch", good, "--expect", "implicitDeny").returncode == 1
    done = _cli("simulate", "--batch", bad, "--expect", "allowed")
    assert done.returncode == 2
    assert [json.loads(line).get("decision") for line in done.stdout.splitlines()] == [
        "allowed", None, "implicitDeny"]
    assert done.stderr.startswith(f"error: {bad}:2:")


def test_cli_batch_prints_what_write_batch_writes(tmp_path: Path) -> None:
    """The CLI adds nothing to the library's lines, with one process or several. (It reads
    the clock, so the one case that depends on the time is left out.)"""
    path = _write(tmp_path, _many(30, [v for v in VARIED if v is not UNTIL_2030]))
    out, err, _ = _write_batch(path)
    for jobs in ("1", "2"):
        done = _cli("simulate", "--batch", path, "--jobs", jobs)
        assert (done.stdout, done.stderr) == (out, err)


@pytest.mark.parametrize("jobs", [1, 3])
def test_a_line_that_is_not_utf8_is_its_own_error_line(tmp_path: Path, jobs: int) -> None:
    """Issue 13 item 7: one undecodable line must not sink the batch (nor, with workers,
    print a traceback); the other lines are answered and the exit code is 2."""
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(case()).encode()
    path.write_bytes(good + b"\n" + b"\xff\xfe{\"request\": 1}\n" + good + b"\n")
    done = _cli("simulate", "--batch", str(path), "--jobs", str(jobs))
    assert done.returncode == 2, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["decision"] == json.loads(lines[2])["decision"] == "allowed"
    assert json.loads(lines[1]) == {"line": 2, "error": "invalid case"}
    assert "Traceback" not in done.stderr
    errors = done.stderr.splitlines()
    assert errors == [f"error: {path}:2: the line is not UTF-8 text (byte 1 cannot be decoded)"]


@pytest.mark.parametrize("request_text", [
    '{"principal": "arn:aws:iam::111122223333:user/x", "principal": "%s", '
    '"action": "s3:GetObject", "resource": "%s", "resource_account": "111122223333"}',
    '{"principal": "%s", "action": "s3:GetObject", "resource": "%s", '
    '"resource_account": "111122223333", "context": {"aws:MultiFactorAuthAge": NaN}}',
    '{"principal": "%s", "action": "s3:GetObject", "resource": "%s", '
    '"resource_account": "111122223333", "context": {"aws:MultiFactorAuthAge": 1e999}}',
])
def test_the_fast_path_refuses_what_the_full_path_refuses(request_text: str) -> None:
    """A request that is not strict JSON (a duplicate key, NaN, a number beyond a float) is
    an error whether or not its policies were seen on an earlier line (issue 12 item 7)."""
    tail = json.dumps(case())[len('{"request": ') + len(json.dumps(request())):]
    bad = '{"request": ' + request_text % (JOHN, OBJECT) + tail
    good = json.dumps(case())
    items = list(evaluate_lines([good, bad, bad], source="s.jsonl", now=NOW))
    assert decisions(items) == ["allowed", None, None]
