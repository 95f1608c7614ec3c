"""Quiz results as one JSON object (`--format json`): the seed, the score and, for each
question, its id, kind, options, the given and the correct answer, whether it was right,
the explanation per option, the references, and for a decision question the case in the
case-file format, so `policy-engine simulate` can recompute the answer."""

from __future__ import annotations

import json
from typing import Any

from quizzes.model import DecisionQuestion
from quizzes.session import Response, Results


def response_json(response: Response) -> dict[str, Any]:
    prepared = response.prepared
    question = prepared.question
    out: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "topic": question.topic.value,
        "domains": [d.value for d in question.domains],
        "difficulty": question.difficulty,
        "stem": question.stem,
        "options": prepared.options,
        "given": list(response.given) if response.given is not None else None,
        "correct": list(prepared.correct),
        "right": response.right,
        "flagged": response.flagged,
        "seconds": response.seconds,
        "explanation": prepared.why,
        "references": list(question.references),
    }
    if isinstance(question, DecisionQuestion):
        out["summary"] = prepared.summary
        if question.ask is not None:
            out["ask"] = question.ask  # over the snapshot; `case` is the same question
        if prepared.case_value is not None:
            out["case"] = prepared.case_value
        else:
            out["case_file"] = question.case_file
    return out


def results_json(results: Results) -> dict[str, Any]:
    score = results.score
    out: dict[str, Any] = {
        "seed": results.seed,
        "mode": results.mode,
        "score": {"right": score.right, "total": score.total,
                  "percent": round(score.percent, 1)},
        "domains": {name: {"right": s.right, "total": s.total}
                    for name, s in results.by_domain().items()},
        "questions": [response_json(r) for r in results.responses],
    }
    if results.exam is not None:
        out["exam"] = {"code": results.exam.code, "questions": results.exam.questions,
                       "minutes": results.exam.minutes, "passing": results.exam.passing,
                       "scaled_estimate": results.scaled, "passed": results.passed,
                       "timed_out": results.timed_out}
    return out


def render_results_json(results: Results) -> str:
    return json.dumps(results_json(results), indent=2, ensure_ascii=False)
