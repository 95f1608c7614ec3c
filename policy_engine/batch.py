"""Many cases, one per JSON line: the throughput path behind `simulate --batch`.

Lines of a batch usually share their policies and differ in the request. When a line
starts with its `request` object, only that object is decoded; the rest of the line is the
key of a cache of compiled policy sets, so a repeated policy set is parsed and compiled
once. Any other line shape takes the full path; both give the same results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from policy_engine.case import (
    CaseRequest,
    parse_case_value,
    request_from_case,
    resource_policy_kind,
)
from policy_engine.engine.compiler import PolicySet
from policy_engine.engine.evaluate import EvaluationResult, evaluate
from policy_engine.errors import CaseError, PolicyEngineError, Problem

_DECODER = json.JSONDecoder()
_CACHE_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class BatchItem:
    line_number: int
    result: EvaluationResult | None
    error: PolicyEngineError | None


def evaluate_lines(lines: Iterable[str], *, source: str = "<batch>",
                   now: datetime | None = None) -> Iterator[BatchItem]:
    moment = now or datetime.now(UTC)
    cache: dict[tuple[object, ...], PolicySet] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            yield BatchItem(number, _evaluate_line(line, where, moment, cache), None)
        except PolicyEngineError as error:
            yield BatchItem(number, None, error)


def _evaluate_line(line: str, where: str, now: datetime,
                   cache: dict[tuple[object, ...], PolicySet]) -> EvaluationResult:
    split = _split_request(line)
    if split is not None:
        request_value, rest = split
        request_model = _request_model(request_value, where)
        request = request_from_case(request_model, source=where, now=now)
        key = (rest, resource_policy_kind(request), request.principal.is_session,
               request.principal.is_iam_identity)
        policies = cache.get(key)
        if policies is None:
            case = parse_case_value(_loads(line, where), source=where, now=now)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            policies = cache[key] = case.policies
        return evaluate(request, policies)
    case = parse_case_value(_loads(line, where), source=where, now=now)
    return evaluate(case.request, case.policies)


def _split_request(line: str) -> tuple[object, str] | None:
    text = line.strip()
    if not text.startswith("{"):
        return None
    position = _skip_space(text, 1)
    if not text.startswith('"request"', position):
        return None
    position = _skip_space(text, position + len('"request"'))
    if not text.startswith(":", position):
        return None
    try:
        value, end = _DECODER.raw_decode(text, _skip_space(text, position + 1))
    except ValueError:
        return None
    return value, text[end:]


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


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
    return CaseError(Problem("wrong-type", "the request is malformed", "/request",
                             source=where))


def _loads(line: str, where: str) -> object:
    from policy_engine.source import load_json_text

    return load_json_text(line, source=where).value
