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


quiz_app = typer.Typer(name="quiz", add_completion=False, pretty_exceptions_enable=False,
                       help="Exam practice: decision questions answered by the engine.")

DbOption = Annotated[Path | None, typer.Option(
    "--db", help="Progress database (default: $POLICY_ENGINE_QUIZ_DB, else the user data "
    "directory).")]


@quiz_app.callback(invoke_without_command=True)
def quiz(
    ctx: typer.Context,
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
    review: Annotated[bool, typer.Option(
        "--review", help="Spaced repetition: the questions whose cards are due.")] = False,
    answers: Annotated[Path | None, typer.Option(
        help="Answers, one per line (letters or skip), instead of asking.")] = None,
    output_format: Annotated[QuizFormat, typer.Option(
        "--format", help="text, or json: one object with every question and answer.",
        case_sensitive=False)] = QuizFormat.TEXT,
    db: DbOption = None,
) -> None:
    """Practise for the AWS exams: decision questions answered by the engine."""
    if ctx.invoked_subcommand is not None:
        return
    from quizzes.answers import check_options, parse_answers, read_answers
    from quizzes.exams import EXAMS, Domain
    from quizzes.pool import build_pool, review_pool
    from quizzes.progress import ProgressStore, db_path
    from quizzes.render_json import render_results_json
    from quizzes.render_text import render_feedback, render_question, render_results
    from quizzes.review import due_cards
    from quizzes.runner import QuizPlan, run_quiz
    from quizzes.scenario_bank import load_quiz_banks
    from quizzes.session import Filters, draw_exam, draw_practice
    from quizzes.topics import Topic

    topics = frozenset(Topic(_choice(t, [x.value for x in Topic], "topic"))
                       for t in topic or [])
    domains = frozenset(Domain(_choice(d, [x.value for x in Domain], "domain"))
                        for d in domain or [])
    level = _choice(difficulty, ["easy", "medium", "hard"], "difficulty") if difficulty else None
    exam_format = EXAMS[_choice(exam, list(EXAMS), "exam")] if exam else None
    if review and exam_format is not None:
        raise _usage("--review and --exam cannot be combined")
    interactive = answers is None and sys.stdin.isatty()
    given = None
    if answers is not None:
        given = iter(read_answers(answers))
    elif not interactive:
        given = iter(parse_answers(sys.stdin.read(), source="<stdin>"))
    chosen_seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**9)
    rng = random.Random(chosen_seed)
    loaded = load_quiz_banks()
    banks = loaded.banks
    for warning in loaded.warnings:
        typer.echo(f"warning: {warning}", err=True)
    store = ProgressStore(db_path(db))
    notes: list[str] = []
    if review:
        due = [card.question_id for card in due_cards(store)]
        pool = review_pool(banks, store.kept_questions(), due)
        questions = list(pool.questions[:count])
        if len(pool.questions) < len(due):
            notes.append(f"{len(due) - len(pool.questions)} due cards are for questions "
                         "no bank holds any more; they are left out")
        mode = "review"
    else:
        pool = build_pool(banks, chosen_seed, difficulty=level,
                          topics=[t.value for t in topics])
        if exam_format is not None:
            draw = draw_exam(pool.questions, exam_format, rng)
            questions, notes = draw.questions, draw.notes
        else:
            questions = draw_practice(pool.questions, Filters(topics, domains, level), count,
                                      rng)
        mode = "exam" if exam_format else "practice"
    console = Console(soft_wrap=False, highlight=False,
                      file=sys.stderr if output_format is QuizFormat.JSON else sys.stdout)
    quiet = output_format is QuizFormat.JSON and not interactive
    if not questions:
        if review:
            console.print("No cards are due for review.")
            store.close()
            raise typer.Exit(ExitCode.OK)
        raise _usage("no question matches these filters")
    prepared = [pool.prepare(q, banks) for q in questions]
    plan = QuizPlan(prepared, chosen_seed, mode, exam_format)
    if not quiet:
        heading = (f"{exam_format.title} mock exam: {exam_format.questions} questions, "
                   f"{exam_format.minutes} minutes" if exam_format else
                   f"{mode.capitalize()}: {len(prepared)} questions")
        console.print(f"[bold]{heading}[/bold] (seed {chosen_seed})")
        for note in notes:
            console.print(f"[yellow]note:[/yellow] {note}")
    session_id = store.start_session(mode, seed=chosen_seed,  # type: ignore[arg-type]
                                     exam=exam_format.code if exam_format else None)

    def ask(item, number, total, left):  # type: ignore[no-untyped-def]
        if not quiet:
            console.print(render_question(item, number, total, left))
        if given is not None:
            answer = next(given, None)
            return None if answer is None else check_options(answer, list(item.options),
                                                             number)
        return _ask_terminal(console, exam_format is not None, list(item.options))

    def record(response) -> None:  # type: ignore[no-untyped-def]
        question = response.prepared.question
        # A generated question lives only in this quiz: keep it with its card to review.
        keep = question.model_dump_json() if question.id in pool.cases else None
        _record(store, session_id, response, keep)

    try:
        results = run_quiz(plan, ask, record=record, show=None if quiet else
                           (lambda response: console.print(render_feedback(response))))
    finally:
        store.finish_session(session_id)
        store.close()
    if output_format is QuizFormat.JSON:
        typer.echo(render_results_json(results))
    else:
        console.print(render_results(results))
    raise typer.Exit(ExitCode.OK)


def _record(store, session_id: int, response,  # type: ignore[no-untyped-def]
            keep: str | None) -> None:
    """One answer, saved with its rescheduled card in one transaction."""
    from quizzes.progress import Answer
    from quizzes.review import record

    question = response.prepared.question
    record(store, session_id, Answer(
        question.id, question.topic.value, tuple(d.value for d in question.domains),
        tuple(response.given or ()), response.prepared.correct, response.seconds),
        keep=keep)


@quiz_app.command("stats")
def stats_command(db: DbOption = None) -> None:
    """Accuracy by domain and topic over time, the day streak and the cards due."""
    from quizzes.progress import ProgressStore, db_path
    from quizzes.render_text import render_stats
    from quizzes.stats import stats

    with ProgressStore(db_path(db)) as store:
        summary = stats(store)
    Console(soft_wrap=False, highlight=False).print(render_stats(summary))


@quiz_app.command("export")
def export_command(
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File to write (default: standard output).")] = None,
    db: DbOption = None,
) -> None:
    """Write the saved progress as JSON."""
    import json

    from quizzes.progress import ProgressStore, db_path

    with ProgressStore(db_path(db)) as store:
        text = json.dumps(store.export(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise PolicyEngineError(Problem(ProblemCode.UNWRITABLE, f"cannot write: "
                                        f"{error.strerror or error}", source=str(output))
                                ) from None


@quiz_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A file written by `quiz export`.")],
    db: DbOption = None,
) -> None:
    """Merge exported progress into the database (importing twice adds nothing)."""
    from policy_engine.files import FileReadError, read_text_bounded
    from quizzes.progress import ProgressStore, db_path

    try:
        text = read_text_bounded(file, max_bytes=64 * 1024 * 1024, what="progress export")
    except FileReadError as error:
        raise PolicyEngineError(error.problems) from None
    with ProgressStore(db_path(db)) as store:
        added = store.import_(text, source=str(file))
    typer.echo(f"imported from {file}: {added.sessions} sessions, {added.answers} answers, "
               f"{added.cards} cards added")


@quiz_app.command("reset")
def reset_command(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask first.")] = False,
    db: DbOption = None,
) -> None:
    """Delete every saved answer and card (asks first)."""
    from quizzes.progress import ProgressStore, db_path

    path = db_path(db)
    if not yes:
        if not sys.stdin.isatty():
            raise _usage("reset deletes all progress; run it on a terminal or pass --yes")
        if not typer.confirm(f"Delete all quiz progress in {path}?", default=False):
            typer.echo("nothing deleted")
            raise typer.Exit(ExitCode.OK)
    with ProgressStore(path) as store:
        store.reset()
    typer.echo(f"deleted all quiz progress in {path}")


def _ask_terminal(console: Console, exam: bool,  # type: ignore[no-untyped-def]
                  options: list[str]):
    from quizzes.answers import parse_answer, unknown_letters

    hint = "letters, skip" + (", or add flag to review it later" if exam else "")
    while True:
        try:
            line = console.input(f"answer ({hint}): ")
        except EOFError:
            return None
        answer = parse_answer(line)
        if answer is None:
            console.print(f"[red]`{line.strip()}` is not an answer[/red]")
        elif unknown_letters(answer, options):
            console.print(f"[red]{', '.join(unknown_letters(answer, options))}: the "
                          f"options are {', '.join(options)}[/red]")
        else:
            return answer
