"""Quiz screens as rich renderables: a question (policies syntax-highlighted), the
feedback after an answer, and the results with a bar per domain. Pure: no printing."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from quizzes.exams import DOMAINS, Domain
from quizzes.prepared import Prepared
from quizzes.session import Response, Results, Score
from quizzes.stats import Accuracy, Stats

_BAR = 24


def render_question(prepared: Prepared, number: int, total: int,
                    seconds_left: float | None) -> RenderableType:
    question = prepared.question
    title = f"Question {number}/{total} · {question.topic.value} · {question.difficulty}"
    if seconds_left is not None:
        minutes, seconds = divmod(int(seconds_left), 60)
        title += f" · {minutes:d}:{seconds:02d} left"
    parts: list[RenderableType] = [Text(question.stem)]
    if prepared.case_value is not None:
        parts.append(Syntax(json.dumps(prepared.case_value, indent=2), "json",
                            word_wrap=True, background_color="default"))
    options = Table.grid(padding=(0, 1))
    for letter, text in prepared.options.items():
        options.add_row(Text(f"{letter}.", style="bold"), Text(text))
    parts.append(options)
    if prepared.multiple:
        parts.append(Text(f"Choose {len(prepared.correct)}.", style="italic"))
    return Panel(Group(*parts), title=title, title_align="left")


def render_feedback(response: Response) -> RenderableType:
    prepared = response.prepared
    if response.given is None:
        head = Text("Skipped. ", style="bold yellow")
    elif response.right:
        head = Text("Right. ", style="bold green")
    else:
        head = Text("Wrong. ", style="bold red")
    head.append(f"Answer: {', '.join(prepared.correct)}")
    lines: list[RenderableType] = [head]
    for letter, why in prepared.why.items():
        mark = "✓" if letter in prepared.correct else "✗"
        lines.append(Text(f" {mark} {letter}: {why}"))
    for reference in prepared.question.references:
        lines.append(Text(f"   {reference}", style="dim"))
    return Group(*lines)


def _bar(score: Score) -> Text:
    filled = round(_BAR * score.right / score.total) if score.total else 0
    out = Text("█" * filled, style="green")
    out.append("░" * (_BAR - filled), style="dim")
    return out


def render_results(results: Results) -> RenderableType:
    score = results.score
    head = Text(f"Score: {score.right}/{score.total} ({score.percent:.0f} %)", style="bold")
    parts: list[RenderableType] = [head]
    if results.exam is not None:
        verdict = "PASS" if results.passed else "FAIL"
        style = "bold green" if results.passed else "bold red"
        line = Text(f"Estimated scaled score: {results.scaled} of 1,000 (pass "
                    f"{results.exam.passing}): ")
        line.append(verdict, style=style)
        if results.timed_out:
            line.append("  (time ran out; unanswered questions count as wrong)")
        parts.append(line)
    table = Table(box=None, pad_edge=False)
    table.add_column("domain")
    table.add_column("right", justify="right")
    table.add_column("")
    for name, domain_score in results.by_domain().items():
        info = DOMAINS.get(Domain(name)) if name in Domain._value2member_map_ else None
        label = f"{info.exam} {info.name}" if info else name
        table.add_row(label, f"{domain_score.right}/{domain_score.total}", _bar(domain_score))
    parts.append(table)
    return Group(*parts)


def _accuracy_bar(accuracy: Accuracy) -> Text:
    return _bar(Score(accuracy.right, accuracy.answered))


def render_stats(stats: Stats) -> RenderableType:
    """`quiz stats`: totals, then a bar per domain, per topic and per day."""
    if stats.empty:
        return Text("No quiz answers saved yet: run `policy-engine quiz` to start.")
    total = stats.total
    parts: list[RenderableType] = [Text(
        f"{total.answered} answers, {total.right} right ({100 * total.ratio:.0f} %) · "
        f"streak {stats.streak_days} day{'s' if stats.streak_days != 1 else ''} · "
        f"{stats.cards_due} of {stats.cards_total} cards due", style="bold")]
    for title, rows in (("domain", stats.by_domain), ("topic", stats.by_topic)):
        table = Table(box=None, pad_edge=False, title=f"by {title}", title_justify="left")
        table.add_column(title)
        table.add_column("right", justify="right")
        table.add_column("")
        for row in rows:
            info = DOMAINS.get(Domain(row.name)) if row.name in Domain._value2member_map_ \
                else None
            label = f"{info.exam} {info.name}" if info else row.name
            table.add_row(label, f"{row.right}/{row.answered}", _accuracy_bar(row))
        parts.append(table)
    days = Table(box=None, pad_edge=False, title="by day", title_justify="left")
    days.add_column("day")
    days.add_column("right", justify="right")
    days.add_column("")
    for day in stats.by_day[-14:]:
        days.add_row(day.day.isoformat(), f"{day.right}/{day.answered}",
                     _bar(Score(day.right, day.answered)))
    parts.append(days)
    return Group(*parts)
