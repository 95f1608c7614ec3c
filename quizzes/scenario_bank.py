"""The quiz questions scenario plugins contribute (`Scenario.questions()`), read as banks.

Each scenario's questions are one bank, checked exactly as a bank file is (schema, the
rules the shape cannot express, unique ids across every bank); its `ask` questions are
answered over the scenario's own snapshot. A plugin whose questions cannot be read is one
warning line naming it, and the quiz goes on with the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_engine.analysis.resolve import Resolver
from policy_engine.errors import PolicyEngineError
from policy_engine.scenario.api import Scenario
from policy_engine.scenario.checks import resolver_for
from policy_engine.scenario.registry import discover
from quizzes.bank import Bank, BankError, Banks, load_banks, parse_bank_value


@dataclass(frozen=True)
class QuizBanks:
    banks: Banks
    warnings: tuple[str, ...]  # one line per scenario whose questions were left out


def scenario_bank(scenario: Scenario) -> Bank:
    """The scenario's questions as a bank; a `BankError` when they break a rule."""
    source = f"scenario {scenario.name}"
    items = list(scenario.questions())
    resolver: list[Resolver] = []

    def snapshot_resolver() -> Resolver:
        if not resolver:
            resolver.append(resolver_for(scenario))
        return resolver[0]

    return parse_bank_value({"title": scenario.title, "questions": items}, source=source,
                            resolver=snapshot_resolver)


def load_quiz_banks() -> QuizBanks:
    """The bank files, then every scenario's questions whose ids no earlier bank uses."""
    banks = load_banks()
    taken = {q.id for q in banks.questions}
    added: list[Bank] = []
    warnings: list[str] = []
    found = discover()
    warnings.extend(broken.one_line() for broken in found.broken)
    for scenario in found.scenarios:
        try:
            bank = scenario_bank(scenario)
        except PolicyEngineError as error:
            warnings.append(f"scenario plugin `{scenario.name}`: its quiz questions are "
                            f"left out: {error.one_line()}")
            continue
        except Exception as error:  # the plugin's own bug is its problem, not the quiz's
            warnings.append(f"scenario plugin `{scenario.name}`: its quiz questions are "
                            f"left out: {type(error).__name__}: {error}")
            continue
        clash = sorted(taken & {q.id for q in bank.questions})
        if clash:
            warnings.append(f"scenario plugin `{scenario.name}`: its quiz questions are "
                            f"left out: question id `{clash[0]}` is already used")
            continue
        taken.update(q.id for q in bank.questions)
        added.append(bank)
    return QuizBanks(Banks(banks.banks + tuple(added)), tuple(warnings))


__all__ = ["BankError", "QuizBanks", "load_quiz_banks", "scenario_bank"]
