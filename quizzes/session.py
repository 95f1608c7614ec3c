"""What a quiz asks and how it is scored: the draw (practice by topic, domain and
difficulty; a mock exam weighted by the exam guide's domains) and the results (all or
nothing per question, unanswered counted wrong, per-domain scores, an estimated scaled
score). Pure: the draw takes a seeded `random.Random`, so a seed replays a quiz exactly."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from quizzes.exams import DOMAINS, Domain, ExamFormat, exam_domains
from quizzes.model import Question
from quizzes.prepared import Prepared
from quizzes.topics import Topic


@dataclass(frozen=True)
class Filters:
    topics: frozenset[Topic] = frozenset()
    domains: frozenset[Domain] = frozenset()
    difficulty: str | None = None

    def keep(self, question: Question) -> bool:
        return ((not self.topics or question.topic in self.topics)
                and (not self.domains or bool(self.domains & set(question.domains)))
                and (self.difficulty is None or question.difficulty == self.difficulty))


def draw_practice(pool: Sequence[Question], filters: Filters, count: int,
                  rng: random.Random) -> list[Question]:
    """`count` questions matching the filters, in a seeded random order (fewer when the
    pool holds fewer)."""
    matching = sorted((q for q in pool if filters.keep(q)), key=lambda q: q.id)
    rng.shuffle(matching)
    return matching[:count]


@dataclass(frozen=True)
class ExamDraw:
    questions: list[Question]
    notes: list[str] = field(default_factory=list)  # shortfalls, said before the exam


def domain_quotas(exam: ExamFormat) -> dict[Domain, int]:
    """The exam's question count split by domain weight (largest remainders)."""
    domains = exam_domains(exam.code)
    shares = {d: exam.questions * DOMAINS[d].weight / 100 for d in domains}
    quotas = {d: int(share) for d, share in shares.items()}
    left = exam.questions - sum(quotas.values())
    for d in sorted(domains, key=lambda d: (-(shares[d] - quotas[d]), DOMAINS[d].number))[:left]:
        quotas[d] += 1
    return quotas


def draw_exam(pool: Sequence[Question], exam: ExamFormat, rng: random.Random) -> ExamDraw:
    """Each domain's quota from the questions tagged with it; a shortfall is filled from
    the rest of the pool and said in `notes`."""
    by_id = sorted(pool, key=lambda q: q.id)
    taken: set[str] = set()
    chosen: list[Question] = []
    notes: list[str] = []
    for domain, quota in domain_quotas(exam).items():
        tagged = [q for q in by_id if domain in q.domains and q.id not in taken]
        rng.shuffle(tagged)
        picked = tagged[:quota]
        if len(picked) < quota:
            notes.append(f"{DOMAINS[domain].name}: {len(picked)} of {quota} questions are "
                         "tagged for it; the rest come from other domains")
        chosen.extend(picked)
        taken.update(q.id for q in picked)
    rest = [q for q in by_id if q.id not in taken]
    rng.shuffle(rest)
    chosen.extend(rest[: exam.questions - len(chosen)])
    if len(chosen) < exam.questions:
        notes.append(f"the banks hold only {len(chosen)} questions; the exam has "
                     f"{exam.questions}")
    rng.shuffle(chosen)
    return ExamDraw(chosen, notes)


@dataclass(frozen=True)
class Response:
    prepared: Prepared
    given: tuple[str, ...] | None  # None: skipped or unanswered
    flagged: bool = False
    seconds: float = 0.0

    @property
    def right(self) -> bool:
        return self.prepared.is_right(self.given)


@dataclass(frozen=True)
class Score:
    right: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class Results:
    responses: tuple[Response, ...]
    seed: int
    mode: str  # practice | exam | review
    exam: ExamFormat | None = None
    timed_out: bool = False

    @property
    def score(self) -> Score:
        return Score(sum(r.right for r in self.responses), len(self.responses))

    def by_domain(self) -> dict[str, Score]:
        """Per domain of the exam (or every domain met, in practice)."""
        tally: dict[str, list[int]] = {}
        for response in self.responses:
            domains = [d for d in response.prepared.question.domains
                       if self.exam is None or DOMAINS[d].exam == self.exam.code]
            for domain in domains or response.prepared.question.domains[:1]:
                counts = tally.setdefault(domain.value, [0, 0])
                counts[0] += response.right
                counts[1] += 1
        return {name: Score(*counts) for name, counts in sorted(tally.items())}

    @property
    def scaled(self) -> int | None:
        """An estimate on the 100-1,000 scale (linear in the share answered right; AWS's
        own scaling is not published), only for a mock exam."""
        if self.exam is None:
            return None
        return round(100 + 900 * self.score.right / max(1, self.score.total))

    @property
    def passed(self) -> bool | None:
        scaled = self.scaled
        return None if scaled is None or self.exam is None else scaled >= self.exam.passing
