"""The exam domains questions are tagged with: the official names and weights of the
SAA-C03 and SCS-C02 exam guides, and every domain used by some question."""

from __future__ import annotations

from collections import Counter

from quizzes.bank import load_banks
from quizzes.exams import DOMAINS, Domain, exam_domains


def test_weights_add_up_to_the_whole_exam() -> None:
    for exam in ("SAA-C03", "SCS-C02"):
        assert sum(DOMAINS[d].weight for d in exam_domains(exam)) == 100


def test_domains_are_numbered_in_guide_order() -> None:
    assert [DOMAINS[d].number for d in exam_domains("SAA-C03")] == [1, 2, 3, 4]
    assert [DOMAINS[d].number for d in exam_domains("scs-c02")] == [1, 2, 3, 4, 5, 6]
    assert exam_domains("SAA-C03")[0].info.name == "Design Secure Architectures"


def test_every_question_names_a_domain_of_an_exam_and_both_exams_are_served() -> None:
    used = Counter(d for q in load_banks().questions for d in q.domains)
    assert set(used) <= set(Domain)
    assert used[Domain.SAA_SECURE] > 0 and used[Domain.SCS_IAM] > 0
    assert used[Domain.SCS_DATA] > 0 and used[Domain.SAA_COST] > 0
