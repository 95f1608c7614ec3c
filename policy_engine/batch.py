"""Many cases, one per JSON line: the throughput path behind `simulate --batch`.

Lines of a batch usually share their policies and differ in the request. When a line
starts with its `request` object, only that object is decoded; the rest of the line is the
key of a cache of the case's parsed policies (`CasePolicies`, which do not depend on the
request), so a repeated policy set is parsed and compiled once. Any other line shape takes
the full path; both give the same results.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import BinaryIO, TextIO

from policy_engine.case import (
    MAX_CASE_BYTES,
    CasePolicies,
    CaseRequest,
    case_shape,
    parse_case_policies,
    parse_case_value,
    request_from_case,
)
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.engine.request import Request, make_request
from policy_engine.errors import CaseError, PolicyEngineError, Problem, ProblemCode
from policy_engine.request_checks import question_problems, resource_warning
from policy_engine.shape import compile_shape_check


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("duplicate key")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


# The request is decoded as strictly as the full path reads a file (no duplicate keys, no
# NaN or Infinity, no number beyond a float): anything else falls back to the full path,
# which says where the problem is. The fast path may never accept what the slow one refuses.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_pairs, parse_constant=_no_constant,
                            parse_float=_finite)
# A line is one case; a case is at most MAX_CASE_BYTES. A longer line (or a stream with no
# newline at all, such as /dev/zero) is one error, read through without being kept.
MAX_LINE_BYTES = MAX_CASE_BYTES


@dataclass(frozen=True, slots=True)
class OverlongLine:
    """A line longer than MAX_LINE_BYTES, skipped: only its length is kept."""

    length: int


def bounded_lines(handle: BinaryIO, limit: int = MAX_LINE_BYTES
                  ) -> Iterator[bytes | OverlongLine]:
    """The handle's lines, each at most `limit` bytes; longer ones as `OverlongLine`."""
    readline = handle.readline
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or (line.endswith(b"\n") and len(line) == limit + 1):
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n"):
            line = readline(1 << 20)
            if not line:
                break
            length += len(line)
        yield OverlongLine(length)
_CACHE_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One rendered output line: a JSON result, or an error message for a bad case."""

    number: int
    text: str
    decision: str | None  # None when the case was bad input

    @property
    def is_error(self) -> bool:
        return self.decision is None


@dataclass(frozen=True, slots=True)
class BatchItem:
    line_number: int
    result: EvaluationResult | None
    error: PolicyEngineError | None


def evaluate_lines(lines: Iterable[str | bytes | OverlongLine], *, source: str = "<batch>",
                   now: datetime | None = None, first_line: int = 1) -> Iterator[BatchItem]:
    """One item per non-blank line; lines read from a file come as bytes and are decoded
    one at a time, so a line that is not UTF-8 is that line's error alone."""
    moment = now or datetime.now(UTC)
    cache = _PolicySetCache()
    for number, line in enumerate(lines, first_line):
        if type(line) is OverlongLine:
            yield BatchItem(number, None, _overlong(line, source, number))
            continue
        if not line or line.isspace():  # isspace stops at the first other character
            continue
        if type(line) is bytes:
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as error:
                yield BatchItem(number, None, _not_utf8(error, source, number))
                continue
        assert isinstance(line, str)
        try:
            result = _evaluate_line(line, source, moment, cache)
        except PolicyEngineError as error:
            yield BatchItem(number, None, _on_line(error, number))
            continue
        yield BatchItem(number, result, None)


def _overlong(line: OverlongLine, source: str, number: int) -> PolicyEngineError:
    return CaseError(Problem(ProblemCode.OVERSIZE, f"the line is {line.length:,} bytes long; "
                             f"a case is at most {MAX_LINE_BYTES:,}",
                             source=f"{source}:{number}"))


def _not_utf8(error: UnicodeDecodeError, source: str, number: int) -> PolicyEngineError:
    return CaseError(Problem(ProblemCode.INVALID_CHARACTER, "the line is not UTF-8 text "
                             f"(byte {error.start + 1} cannot be decoded)",
                             source=f"{source}:{number}"))


def _on_line(error: PolicyEngineError, number: int) -> PolicyEngineError:
    """The error with each problem placed on line `number` of the batch file.

    A line is a one-line JSON document: a problem located in it moves to the file's line
    with its column kept; one without a position names the line after the file.
    """
    problems = [replace(p, line=number + p.line - 1) if p.line is not None
                else replace(p, source=f"{p.source}:{number}") for p in error.problems]
    return type(error)(problems)


class _PolicySetCache:
    """Compiled policy sets keyed by the text that follows the request on a line.

    Hashing kilobytes of policy text per line would cost more than the request itself, so
    lines are bucketed by a short fingerprint and confirmed with `endswith`, a memcmp.
    """

    def __init__(self) -> None:
        self._buckets: dict[tuple[object, ...], list[tuple[str, CasePolicies]]] = {}
        self._size = 0

    def get(self, line: str, start: int) -> CasePolicies | None:
        for rest, policies in self._buckets.get(self._key(line, start), ()):
            if line.endswith(rest):
                return policies
        return None

    def put(self, line: str, start: int, policies: CasePolicies) -> None:
        if self._size >= _CACHE_LIMIT:
            self._buckets.clear()
            self._size = 0
        bucket = self._buckets.setdefault(self._key(line, start), [])
        bucket.append((line[start:], policies))
        self._size += 1

    @staticmethod
    def _key(line: str, start: int) -> tuple[object, ...]:
        return (len(line) - start, line[start:start + 64], line[-64:])


def _evaluate_line(line: str, where: str, now: datetime,
                   cache: _PolicySetCache) -> EvaluationResult:
    split = _split_request(line)
    if split is None:
        case = parse_case_value(_loads(line, where), source=where, now=now)
        return evaluate(case.request, case.policies)
    request_value, end = split
    request = _request(request_value, where, now)
    policies = cache.get(line, end)
    if policies is None:
        value = _loads(line, where)
        policies = parse_case_policies(case_shape(value, source=where), source=where)
        cache.put(line, end, policies)
    return evaluate(request, policies.policy_set_for(request))


def _split_request(line: str) -> tuple[object, int] | None:
    """The decoded request object and where the rest of the line starts, when the line
    starts with its `request`."""
    # No strip(): it would copy the whole (policy-laden) line once more.
    text = line
    position = _skip_space(text, 0)
    if not text.startswith("{", position):
        return None
    position = _skip_space(text, position + 1)
    if not text.startswith('"request"', position):
        return None
    position = _skip_space(text, position + len('"request"'))
    if not text.startswith(":", position):
        return None
    try:
        value, end = _DECODER.raw_decode(text, _skip_space(text, position + 1))
    except ValueError:
        return None
    return value, end


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


# The fast path skips pydantic for requests already in the shape CaseRequest accepts; the
# check is compiled from CaseRequest itself, so the two cannot drift apart.
_is_plain_request = compile_shape_check(CaseRequest)


def _request(value: object, where: str, now: datetime) -> Request:
    if _is_plain_request(value):
        assert isinstance(value, dict)
        try:
            request = make_request(value["principal"], value["action"], value["resource"],
                                   resource_account=value.get("resource_account"),
                                   context=value.get("context"), now=now, source=where)
        except PolicyEngineError as error:
            raise CaseError(error.problems) from None
        problems = question_problems(request.action, value.get("context"), source=where)
        if problems:
            raise CaseError(problems)
        return request
    return request_from_case(_request_model(value, where), source=where, now=now)


def _request_model(value: object, where: str) -> CaseRequest:
    from pydantic import ValidationError

    try:
        return CaseRequest.model_validate(value)
    except ValidationError:
        # The full path produces the precise, located message.
        raise _full_path_error(value, where) from None


def _full_path_error(value: object, where: str) -> PolicyEngineError:
    try:
        parse_case_value({"request": value}, source=where)
    except PolicyEngineError as error:
        return error
    return CaseError(Problem(ProblemCode.WRONG_TYPE, "the request is malformed", "/request",
                             source=where))


def evaluate_file(path: str, *, explain: bool = False, now: datetime | None = None
                  ) -> Iterator[BatchLine]:
    """Every case's rendered result (or error), in input order, in this process."""
    moment = now or datetime.now(UTC)
    with open(path, "rb") as handle:
        yield from _render_items(evaluate_lines(bounded_lines(handle), source=path,
                                                now=moment), explain)


@dataclass(frozen=True, slots=True)
class BatchSummary:
    cases: int
    bad_cases: int
    mismatches: int  # decisions that differ from the expected one


def write_batch(path: str, out: TextIO, err: TextIO, *, jobs: int = 1,
                explain: bool = False, expect: str | None = None,
                now: datetime | None = None) -> BatchSummary:
    """Write one JSON result per case to `out` (in order) and one `error: …` line per bad
    case to `err`. With jobs > 1, each forked worker writes its part of the output to a
    file and the parent only copies the files, in order."""
    moment = now or datetime.now(UTC)
    if jobs <= 1:
        with open(path, "rb") as handle:
            items = evaluate_lines(bounded_lines(handle), source=path, now=moment)
            return _write_items(items, out, err, explain, expect, path)
    return _write_parallel(path, jobs, explain, expect, moment, out, err)


def _write_items(items: Iterable[BatchItem], out: TextIO, err: TextIO, explain: bool,
                 expect: str | None, source: str) -> BatchSummary:
    from policy_engine.formatters import decision_json

    render = decision_json.render if explain else decision_json.render_brief
    cases = bad = mismatches = 0
    write = out.write
    for item in items:
        cases += 1
        if item.error is not None:
            bad += 1
            err.write(f"error: {item.error.one_line()}\n")
            write(f'{{"line":{item.line_number},"error":"invalid case"}}\n')
            continue
        result = item.result
        assert result is not None
        warning = resource_warning(result.request.action, result.request.resource)
        if warning is not None:
            err.write(f"warning: {source}:{item.line_number}: {warning}\n")
        if expect is not None and result.verdict.decision.value != expect:
            mismatches += 1
        write(_numbered(item.line_number, render(result)) + "\n")
    return BatchSummary(cases, bad, mismatches)


def _write_worker(path: str, chunk: _Chunk, explain: bool, expect: str | None,
                  now: datetime, output: str) -> None:
    # A bug of ours in a worker must reach the user as one line, like anywhere else, not
    # as multiprocessing's traceback: say what failed in a file and exit non-zero.
    try:
        _write_worker_part(path, chunk, explain, expect, now, output)
    except Exception as error:
        with open(output + ".fail", "w", encoding="utf-8") as failure:
            failure.write(f"{type(error).__name__}: {error}")
        sys.exit(1)


def _write_worker_part(path: str, chunk: _Chunk, explain: bool, expect: str | None,
                       now: datetime, output: str) -> None:
    with open(path, "rb") as handle:
        first_line = 1 + _count_newlines(handle, chunk.start)
    with open(output + ".out", "w", encoding="utf-8") as out, \
            open(output + ".err", "w", encoding="utf-8") as err:
        items = evaluate_lines(_chunk_lines(path, chunk), source=path, now=now,
                               first_line=first_line)
        summary = _write_items(items, out, err, explain, expect, path)
    with open(output + ".sum", "w", encoding="utf-8") as status:
        status.write(f"{summary.cases} {summary.bad_cases} {summary.mismatches}")


def _write_parallel(path: str, jobs: int, explain: bool, expect: str | None,
                    now: datetime, out: TextIO, err: TextIO) -> BatchSummary:
    import multiprocessing
    import shutil
    import tempfile
    from pathlib import Path

    context = multiprocessing.get_context("fork")
    out.flush()
    err.flush()
    with tempfile.TemporaryDirectory(prefix="policy-engine-batch-") as folder:
        chunks = _chunks(path, jobs)
        outputs = [str(Path(folder) / f"worker-{k}") for k in range(len(chunks))]
        workers = [context.Process(target=_write_worker,
                                   args=(path, chunk, explain, expect, now, outputs[k]))
                   for k, chunk in enumerate(chunks)]
        for process in workers:
            process.start()
        for process in workers:
            process.join()
        if any(process.exitcode != 0 for process in workers):
            failure = next((Path(o + ".fail").read_text(encoding="utf-8") for o in outputs
                            if Path(o + ".fail").exists()), "it stopped")
            raise CaseError(Problem(ProblemCode.INTERNAL_ERROR,
                                    f"a batch worker failed ({failure}); please report it",
                                    source=path))
        totals = [0, 0, 0]
        for output in outputs:
            for suffix, stream in ((".out", out), (".err", err)):
                with open(output + suffix, encoding="utf-8") as part:
                    shutil.copyfileobj(part, stream, 1 << 20)
            with open(output + ".sum", encoding="utf-8") as status:
                for index, number in enumerate(status.read().split()):
                    totals[index] += int(number)
        return BatchSummary(*totals)


def _numbered(number: int, rendered: str) -> str:
    """The result's JSON object with the batch line it answers first, as error lines have."""
    return f'{{"line":{number},{rendered[1:]}' if rendered.startswith("{") else rendered


def _render_items(items: Iterable[BatchItem], explain: bool) -> Iterator[BatchLine]:
    from policy_engine.formatters import decision_json

    render = decision_json.render if explain else decision_json.render_brief
    for item in items:
        if item.error is not None:
            yield BatchLine(item.line_number, item.error.one_line(), None)
        else:
            assert item.result is not None
            yield BatchLine(item.line_number, _numbered(item.line_number, render(item.result)),
                            item.result.decision.value)


@dataclass(frozen=True, slots=True)
class _Chunk:
    start: int  # byte offsets, each at the beginning of a line
    stop: int


def _chunks(path: str, jobs: int) -> list[_Chunk]:
    """About equal byte ranges, each starting at the beginning of a line."""
    import os

    size = os.path.getsize(path)
    cuts = [0]
    with open(path, "rb") as handle:
        for k in range(1, jobs):
            handle.seek(max(size * k // jobs, cuts[-1]))
            if handle.tell() > 0:
                handle.readline()  # finish the line the cut fell into
            cuts.append(max(handle.tell(), cuts[-1]))
    cuts.append(size)
    return [_Chunk(start, stop) for start, stop in itertools.pairwise(cuts)]


def _count_newlines(handle: object, length: int) -> int:
    count = 0
    while length > 0:
        block = handle.read(min(length, 1 << 22))  # type: ignore[attr-defined]
        if not block:
            break
        count += block.count(b"\n")
        length -= len(block)
    return count


def _chunk_lines(path: str, chunk: _Chunk) -> Iterator[bytes | OverlongLine]:
    with open(path, "rb") as handle:
        handle.seek(chunk.start)
        position = chunk.start
        for raw in bounded_lines(handle):
            if position >= chunk.stop:
                break
            position += raw.length if isinstance(raw, OverlongLine) else len(raw)
            yield raw


def _loads(line: str, where: str) -> object:
    from policy_engine.source import load_json_text

    return load_json_text(line, source=where).value
