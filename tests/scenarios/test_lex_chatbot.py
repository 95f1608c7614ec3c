"""lex-comprehend-chatbot: its checks pass and fail when the policies they rest on change,
its walk-through performs a conversation whose every AWS call the engine decides, `show`
renders the bot's vocabulary, the quiz answers are computed, and the exported snapshot
answers the account commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text

import scenarios.lex_chatbot as lex
from policy_engine.scenario.api import AccessCheck
from policy_engine.scenario.checks import run_checks
from policy_engine.scenario.registry import discover
from scenarios.lex_chatbot import ACCOUNT, FUNCTION, LOG_STREAM, PROD_ALIAS, SCENARIO
from scenarios.lex_chatbot_questions import questions
from scenarios.lex_fulfillment import AccessDenied, Authorizer, FulfillmentFunction


def _results_by_name() -> dict[str, Any]:
    return {r.name: r for r in run_checks(SCENARIO)}


def test_the_plugin_is_found_and_every_check_passes() -> None:
    """Every expectation cites its page (role-trust-and-permissions.html, list_amazonlexv2.html,
    https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html ...)."""
    assert discover().get("lex-comprehend-chatbot") is SCENARIO
    results = run_checks(SCENARIO)
    assert len(results) >= 10 and all(r.passed for r in results), \
        [r for r in results if not r.passed]
    denials = [r for r in results if r.expected != "allowed"]
    assert len(denials) >= 2
    assert all(r.doc.startswith("https://docs.aws.amazon.com/") for r in results)
    assert all(isinstance(c, AccessCheck) for c in SCENARIO.checks())


def test_without_the_source_arn_condition_another_bot_could_invoke_the_function(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The aws:SourceArn condition is what keeps other bots out
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)."""
    loose = lex.document({"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"},
                          "Action": "lambda:InvokeFunction", "Resource": FUNCTION})
    monkeypatch.setattr(lex, "function_policy", lambda: loose)
    results = _results_by_name()
    assert not results["another bot cannot invoke the function"].passed
    assert not results["a Lex request without a source ARN is refused"].passed
    assert results["Lex V2 invokes the function from the production alias"].passed


def test_a_trust_policy_without_the_amr_condition_lets_guests_in(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without `cognito-identity.amazonaws.com:amr` any token of the pool assumes the role
    (https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)."""
    def aud_only(kind: str) -> dict[str, Any]:
        return lex.document({
            "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": lex.POOL}}})
    monkeypatch.setattr(lex, "cognito_trust", aud_only)
    results = _results_by_name()
    assert not results["a guest's token cannot assume the authenticated role"].passed
    assert results["a token of another identity pool cannot assume it"].passed


def _narration() -> list[str]:
    """The walk-through's lines as the terminal shows them (rich markup rendered)."""
    lines: list[str] = []
    SCENARIO.run(lines.append)
    return [Text.from_markup(line).plain for line in lines]


def test_the_walk_through_holds_a_conversation_the_engine_authorizes() -> None:
    """Cognito roles (https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html),
    the fulfillment invocation (https://docs.aws.amazon.com/lexv2/latest/dg/lambda-attach-api.html)
    and the Comprehend calls (list_amazoncomprehend.html) are each decided by the engine."""
    text = "\n".join(_narration())
    assert "refused lex:RecognizeText as chat-guest" in text
    assert "allowed lex:RecognizeText as chat-signed-in" in text
    assert "intent LeaveFeedback by the sample utterance 'i have a complaint about my " \
           "{Product}'" in text
    assert "bot (ElicitSlot): Tell me about your experience with the headphones." in text
    assert "bot (ConfirmIntent): Shall I send your feedback about the headphones" in text
    assert f"allowed Lex V2 invokes {FUNCTION}" in text
    assert "allowed the function calls comprehend:DetectSentiment" in text
    assert "the function logged: LeaveFeedback: language=en sentiment=NEGATIVE" in text
    assert "refused comprehend:DetectEntities by the function" in text
    assert "refused another bot's alias invokes it" in text
    assert "about order AB12345" in text and "intent FallbackIntent" in text


def test_the_walk_through_cannot_fulfill_when_the_function_policy_names_another_alias(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"""
    other = lex.document({
        "Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": FUNCTION,
        "Condition": {"ArnEquals": {"AWS:SourceArn": lex.OTHER_BOT_ALIAS}}})
    monkeypatch.setattr(lex, "function_policy", lambda: other)
    text = "\n".join(_narration())
    assert "refused fulfillment: lambda:InvokeFunction by lexv2.amazonaws.com" in text
    assert "comprehend:DetectSentiment (" not in text


def test_the_function_checks_each_call_with_the_engine() -> None:
    """https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"""
    function = FulfillmentFunction(Authorizer(SCENARIO), FUNCTION,
                                   "role/support-fulfillment-exec", LOG_STREAM)
    feedback = lex.BOT.locale("en_US").intent("LeaveFeedback")
    assert feedback is not None
    _, message = function.invoke_from_lex(PROD_ALIAS, ACCOUNT, feedback,
                                          {"Product": "speaker", "Comment": "great sound"})
    assert message == "Thank you for your feedback about the speaker!"
    # Under 20 characters DetectDominantLanguage is skipped (API_DetectDominantLanguage.html).
    assert [c.split(" ")[0] for c in function.calls] == [
        "comprehend:DetectSentiment", "logs:PutLogEvents"]
    function.handle(feedback, {"Product": "speaker", "Comment": "great sound, and fast too"})
    assert [c.split(" ")[0] for c in function.calls[2:]] == [
        "comprehend:DetectDominantLanguage", "comprehend:DetectSentiment", "logs:PutLogEvents"]
    with pytest.raises(AccessDenied, match="implicitDeny"):
        function.invoke_from_lex(lex.OTHER_BOT_ALIAS, ACCOUNT, feedback, {"Comment": "x"})
    outside = FulfillmentFunction(Authorizer(SCENARIO), FUNCTION, "role/chat-signed-in",
                                  LOG_STREAM)
    with pytest.raises(AccessDenied, match="comprehend:DetectDominantLanguage"):
        outside.handle(feedback, {"Comment": "great sound and a fast delivery"})


def test_describe_renders_the_bot_vocabulary() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/dg/sample-utterances.html"""
    console = Console(width=160, record=True)
    console.print(SCENARIO.describe())
    text = console.export_text()
    for expected in ("Lex V2 bot SupportBot", "locale en_US", "ProductType (custom slot type, "
                     "TOP_RESOLUTION)", "headphones (synonyms: earbuds, headset)",
                     "track order {OrderNumber}", "OrderNumber AMAZON.AlphaNumeric, required",
                     "confirmation Shall I send", "fulfillment code hook", PROD_ALIAS,
                     f"en_US: code hooks invoke {FUNCTION}", "no Lambda function attached"):
        assert expected in text


def test_the_quiz_answers_are_computed_by_the_model_and_the_engine() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/APIReference/API_SlotValueSelectionSetting.html;
    https://docs.aws.amazon.com/comprehend/latest/APIReference/API_DetectSentiment.html"""
    found = {q["id"]: q for q in questions(SCENARIO)}
    assert len(found) >= 10
    assert sum(q["kind"] == "decision" for q in found.values()) >= 5

    def answer(name: str) -> list[str]:
        return found[f"lex-comprehend-chatbot-{name}"]["answer"]
    assert answer("resolves-synonym") == ["A"]
    assert answer("elicits-slot") == ["A"]
    assert answer("build-rules") == ["A", "B"]
    invoking = found["lex-comprehend-chatbot-invoking-principal"]
    assert invoking["options"][invoking["answer"][0]]["text"] == "lexv2.amazonaws.com"
    assert "changed" in invoking
    comprehend = found["lex-comprehend-chatbot-comprehend-actions"]
    assert [comprehend["options"][a]["text"] for a in comprehend["answer"]] == [
        "comprehend:DetectSentiment", "comprehend:DetectDominantLanguage"]
    assert answer("sentiment-size") == ["B"]


def test_the_exported_snapshot_answers_ask(tmp_path: Path) -> None:
    """https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonlexv2.html"""
    cli = [sys.executable, "-c", "from policy_engine.cli.app import main; main()"]
    out = tmp_path / "lex.json"
    done = subprocess.run([*cli, "scenario", "export", "lex-comprehend-chatbot", "-o",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    asked = subprocess.run([*cli, "ask", f"can role/chat-guest do lex:RecognizeText on "
                            f"{PROD_ALIAS}", "--env", str(out), "--format", "json"],
                           capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["decision"] == "implicitDeny"
