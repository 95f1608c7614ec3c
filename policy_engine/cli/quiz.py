"""`policy-engine quiz`: exam practice whose decision questions the engine answers.

    policy-engine quiz [--topic T] [--domain D] [--count N] [--difficulty L] [--seed S]
                       [--exam NAME] [--answers FILE] [--format text|json]

Interactive on a terminal (rich screens, an explanation after each answer in practice, a
countdown and `flag` in a timed exam); otherwise answers come from `--answers FILE` or
standard input, one per line (letters, `A,C`, `skip`), and `--format json` prints one
object with every question, the given and correct answers and the explanations. Exit 0
when the quiz ran, 2 for bad input (an unknown topic, domain or exam, a bad answer line,
an invalid bank), with one line on stderr.
"""

from __future__ import annotations

import random
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from policy_engine.cli.exit_codes import ExitCode
from policy_engine.errors import PolicyEngineError, Problem, ProblemCode


class QuizFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _usage(message: str) -> PolicyEngineError:
    return PolicyEngineError(Problem(ProblemCode.USAGE, message, source="quiz"))


def _choice(value: str, choices: list[str], what: str) -> str:
    lowered = value.strip().lower()
    for choice in choices:
        if choice.lower() == lowered:
            return choice
    article = "an" if what[0] in "aeiou" else "a"
    raise _usage(f"{value!r} is not {article} {what}; choose one of: {', '.join(choices)}")


def quiz(
    topic: Annotated[list[str] | None, typer.Option(
        help="Only questions of this topic (repeat for several).")] = None,
    domain: Annotated[list[str] | None, typer.Option(
        help="Only questions of this exam domain, e.g. saa-c03:secure (repeatable).")
    ] = None,
    count: Annotated[int, typer.Option(min=1, max=500, help="Questions in practice.")] = 10,
    difficulty: Annotated[str | None, typer.Option(help="easy, medium or hard.")] = None,
    seed: Annotated[int | None, typer.Option(
        help="Replays the same quiz; a random seed is chosen and shown otherwise.")] = None,
    exam: Annotated[str | None, typer.Option(
        help="A timed mock exam: SAA-C03, SCS-C02 or SAP-C02.")] = None,
    answers: Annotated[Path | None, typer.Option(
        help="Answers, one per line (letters or skip), instead of asking.")] = None,
    output_format: Annotated[QuizFormat, typer.Option(
        "--format", help="text, or json: one object with every question and answer.",
        case_sensitive=False)] = QuizFormat.TEXT,
) -> None:
    """Practise for the AWS exams: decision questions answered by the engine."""
    from quizzes.answers import parse_answers, read_answers
    from quizzes.bank import load_banks
    from quizzes.exams import EXAMS, Domain
    from quizzes.prepared import prepare
    from quizzes.render_json import render_results_json
    from quizzes.render_text import render_feedback, render_question, render_results
    from quizzes.runner import QuizPlan, run_quiz
    from quizzes.session import Filters, draw_exam, draw_practice
    from quizzes.topics import Topic

    topics = frozenset(Topic(_choice(t, [x.value for x in Topic], "topic"))
                       for t in topic or [])
    domains = frozenset(Domain(_choice(d, [x.value for x in Domain], "domain"))
                        for d in domain or [])
    level = _choice(difficulty, ["easy", "medium", "hard"], "difficulty") if difficulty else None
    exam_format = EXAMS[_choice(exam, list(EXAMS), "exam")] if exam else None
    interactive = answers is None and sys.stdin.isatty()
    given = None
    if answers is not None:
        given = iter(read_answers(answers))
    elif not interactive:
        given = iter(parse_answers(sys.stdin.read(), source="<stdin>"))
    chosen_seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**9)
    rng = random.Random(chosen_seed)
    banks = load_banks()
    pool = banks.questions
    if exam_format is not None:
        draw = draw_exam(pool, exam_format, rng)
        questions, notes = draw.questions, draw.notes
    else:
        questions = draw_practice(pool, Filters(topics, domains, level), count, rng)
        notes = []
    if not questions:
        raise _usage("no question matches these filters")
    prepared = [prepare(q, banks.case(q) if q.kind == "decision" else None)
                for q in questions]
    plan = QuizPlan(prepared, chosen_seed, "exam" if exam_format else "practice",
                    exam_format)
    console = Console(soft_wrap=False, highlight=False,
                      file=sys.stderr if output_format is QuizFormat.JSON else sys.stdout)
    quiet = output_format is QuizFormat.JSON and not interactive
    if not quiet:
        heading = (f"{exam_format.title} mock exam: {exam_format.questions} questions, "
                   f"{exam_format.minutes} minutes" if exam_format else
                   f"Practice: {len(prepared)} questions")
        console.print(f"[bold]{heading}[/bold] (seed {chosen_seed})")
        for note in notes:
            console.print(f"[yellow]note:[/yellow] {note}")

    def ask(item, number, total, left):  # type: ignore[no-untyped-def]
        if not quiet:
            console.print(render_question(item, number, total, left))
        if given is not None:
            return next(given, None)
        return _ask_terminal(console, exam_format is not None)

    results = run_quiz(plan, ask, show=None if quiet else
                       (lambda response: console.print(render_feedback(response))))
    if output_format is QuizFormat.JSON:
        typer.echo(render_results_json(results))
    else:
        console.print(render_results(results))
    raise typer.Exit(ExitCode.OK)


def _ask_terminal(console: Console, exam: bool):  # type: ignore[no-untyped-def]
    from quizzes.answers import parse_answer

    hint = "letters, skip" + (", or add flag to review it later" if exam else "")
    while True:
        try:
            line = console.input(f"answer ({hint}): ")
        except EOFError:
            return None
        answer = parse_answer(line)
        if answer is not None:
            return answer
        console.print(f"[red]`{line.strip()}` is not an answer[/red]")
