"""The quiz questions of lex-comprehend-chatbot: decisions the engine answers over the
scenario's snapshot, and choice questions whose answers are computed when they are built
by the bot model (intent recognition, slot resolution, the documented validation rules),
the Comprehend stand-in's documented limits, and the engine itself (which principal and
which Comprehend actions the policies allow)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from policy_engine.scenario.checks import resolver_for
from policy_engine.scenario.questions import About, Option, choice, decision, true_false
from policy_engine.whatif import parse_question
from scenarios.lex_chatbot import (
    ACCOUNT,
    API_IAM,
    BOT,
    CHAT_ROUTE,
    COGNITO_ROLES,
    COGNITO_TRUST,
    COMPREHEND_ACTIONS,
    CONFUSED_DEPUTY,
    FUNCTION,
    LAMBDA_POLICY,
    LEX_ACTIONS,
    LEX_V1_CHANGE,
    LEX_V1_PERMISSIONS,
    OTHER_BOT_ALIAS,
    PROD_ALIAS,
    TEST_ALIAS,
    lex_invokes,
    web_identity,
)
from scenarios.lex_conversation import Conversation, Step, recognize, resolve
from scenarios.lex_fulfillment import DETECT_SENTIMENT_PAGE, MAX_SENTIMENT_BYTES, sentiment_of
from scenarios.lex_model import (
    BUILT_IN_SLOTS_PAGE,
    PROMPT_PAGE,
    QUOTAS_PAGE,
    SAMPLE_UTTERANCES_PAGE,
    Intent,
    Prompt,
    Slot,
)

ABOUT = About("lex", ("saa-c03:secure", "scs-c02:iam"), (LEX_ACTIONS,))
_ASSUME = "cognito-identity.amazonaws.com sts:AssumeRoleWithWebIdentity"
_SIGNED_IN = f"arn:aws:iam::{ACCOUNT}:role/chat-signed-in"
_EXEC = "role/support-fulfillment-exec"
OTHER_POOL = "us-east-1:0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"


def _decisions() -> list[dict[str, Any]]:
    federation = {"topic": "federation", "references": (COGNITO_TRUST,)}
    return [
        decision(ABOUT, "lex-comprehend-chatbot-signed-in-token",
                 "Role chat-signed-in trusts cognito-identity.amazonaws.com for "
                 "AssumeRoleWithWebIdentity when the token's aud is the identity pool and "
                 "its amr contains authenticated. A user signed in through the pool's user "
                 "pool presents such a token. Decision?",
                 f"{_ASSUME} {_SIGNED_IN} {web_identity('authenticated')}", **federation),
        decision(ABOUT, "lex-comprehend-chatbot-guest-token",
                 "The same role chat-signed-in; a guest of the identity pool presents a token "
                 "whose amr is [unauthenticated]. Decision?",
                 f"{_ASSUME} {_SIGNED_IN} {web_identity('unauthenticated')}", **federation),
        decision(ABOUT, "lex-comprehend-chatbot-other-pool",
                 "The same role; a signed-in user of a different identity pool presents a "
                 "token whose aud is that other pool's id. Decision?",
                 f"{_ASSUME} {_SIGNED_IN} {web_identity('authenticated', OTHER_POOL)}",
                 difficulty="hard", **federation),
        decision(ABOUT, "lex-comprehend-chatbot-guest-talks",
                 "Role chat-guest (the pool's unauthenticated role) may only invoke the GET "
                 "/faq route. A guest's session calls lex:RecognizeText on the bot's "
                 "production alias. Decision?",
                 f"role/chat-guest lex:RecognizeText {PROD_ALIAS}",
                 references=(COGNITO_ROLES, LEX_ACTIONS)),
        decision(ABOUT, "lex-comprehend-chatbot-test-alias",
                 "Role chat-signed-in may call lex:RecognizeText on the production alias "
                 f"{PROD_ALIAS}. A session calls it on the alias TSTALIASID "
                 f"({TEST_ALIAS}), which points to the Draft version and is meant for "
                 "manual testing only. Decision?",
                 f"role/chat-signed-in lex:RecognizeText {TEST_ALIAS}",
                 references=(LEX_ACTIONS, QUOTAS_PAGE)),
        decision(ABOUT, "lex-comprehend-chatbot-other-bot",
                 "The fulfillment function's policy allows lexv2.amazonaws.com "
                 "lambda:InvokeFunction when aws:SourceArn is the SupportBot production alias "
                 "and aws:SourceAccount is the account. Another bot's alias in the same "
                 "account invokes the function. Decision?",
                 lex_invokes(OTHER_BOT_ALIAS), topic="policy-types",
                 references=(LAMBDA_POLICY, CONFUSED_DEPUTY)),
        decision(ABOUT, "lex-comprehend-chatbot-no-source-arn",
                 "The same function policy; a request from lexv2.amazonaws.com arrives "
                 "without aws:SourceArn or aws:SourceAccount. Decision?", lex_invokes(None),
                 topic="policy-types", difficulty="hard",
                 references=(LAMBDA_POLICY, CONFUSED_DEPUTY)),
        decision(ABOUT, "lex-comprehend-chatbot-detect-entities",
                 "The function's execution role allows comprehend:DetectSentiment and "
                 "comprehend:DetectDominantLanguage on *. The function calls "
                 "comprehend:DetectEntities. Decision?",
                 f"{_EXEC} comprehend:DetectEntities *", topic="comprehend",
                 references=(COMPREHEND_ACTIONS,)),
        decision(ABOUT, "lex-comprehend-chatbot-guest-chat-route",
                 "Role chat-guest may invoke GET /faq of the API; a guest's browser sends "
                 "POST /chat, signed with the guest's credentials. Decision?",
                 f"role/chat-guest execute-api:Invoke {CHAT_ROUTE}",
                 references=(API_IAM,)),
    ]


def _refused(build: Callable[[], object]) -> bool:
    try:
        build()
    except ValidationError:
        return True
    return False


def _model_questions() -> list[dict[str, Any]]:
    locale = BOT.locale("en_US")
    feedback = locale.intent("LeaveFeedback")
    assert feedback is not None
    said = "feedback about the soundbar"
    found = recognize(locale, said)
    product_slot = feedback.slot("Product")
    assert product_slot is not None
    value = resolve(locale, product_slot, found.slots.get("Product", ""))
    first = Conversation(locale, lambda intent, slots: "").start("where is my order")
    lex = {"topic": "lex"}
    return [
        choice(ABOUT, "lex-comprehend-chatbot-resolves-synonym",
               f"The bot's LeaveFeedback intent has the utterance 'feedback about the "
               "{Product}'; slot Product has the custom type ProductType (value speaker, "
               f"synonyms soundbar and speakers; resolution TOP_RESOLUTION). A user types "
               f"'{said}'. What does the bot recognize?", [
                   Option("LeaveFeedback with Product = speaker", "Right: soundbar is a "
                          "synonym of speaker, and TOP_RESOLUTION returns the value, not "
                          "the words said.",
                          found.intent == "LeaveFeedback" and value == "speaker"),
                   Option("LeaveFeedback with Product = soundbar", "Wrong: that is what "
                          "ORIGINAL_VALUE (the default) would return.",
                          found.intent == "LeaveFeedback" and value == "soundbar"),
                   Option("FallbackIntent", "Wrong: the words match a sample utterance.",
                          found.intent == "FallbackIntent"),
                   Option("CheckOrderStatus", "Wrong: none of its utterances match.",
                          found.intent == "CheckOrderStatus"),
               ], references=("https://docs.aws.amazon.com/lexv2/latest/APIReference/"
                              "API_SlotValueSelectionSetting.html", SAMPLE_UTTERANCES_PAGE),
               **lex),
        choice(ABOUT, "lex-comprehend-chatbot-elicits-slot",
               "CheckOrderStatus has the utterances 'where is my order' and 'track order "
               "{OrderNumber}'; OrderNumber is required. A user says 'where is my order'. "
               "What does the bot do next?", [
                   Option("Elicits OrderNumber with its prompt", "Right: a required slot "
                          "the utterance did not fill is elicited before fulfillment.",
                          first.step is Step.ELICIT_SLOT and first.slot == "OrderNumber"),
                   Option("Fulfills the intent with OrderNumber empty", "Wrong: required "
                          "slots are filled first.", first.step is Step.FULFILLED),
                   Option("Goes to FallbackIntent", "Wrong: the utterance matches the "
                          "intent.", first.step is Step.FAILED),
               ], references=(SAMPLE_UTTERANCES_PAGE,), **lex),
        choice(ABOUT, "lex-comprehend-chatbot-build-rules",
               "Which of these intent definitions does Amazon Lex V2 refuse?", [
                   Option("An utterance 'cancel order {OrderId}' in an intent whose only "
                          "slot is OrderNumber", "Refused: a slot in an utterance must be a "
                          "slot defined for the intent.",
                          _refused(lambda: Intent(name="CancelOrder",
                                                  utterances=("cancel order {OrderId}",),
                                                  slots=(Slot(name="OrderNumber",
                                                              slot_type="AMAZON.Number",
                                                              prompt=Prompt(message="Which?")),
                                                         )))),
                   Option("A slot prompt that is asked again up to 6 times", "Refused: a "
                          "prompt's maxRetries is 0 to 5.",
                          _refused(lambda: Prompt(message="Which order?", max_retries=6))),
                   Option("A slot prompt that is asked again up to 5 times", "Accepted: 5 "
                          "is the most retries a prompt allows.",
                          _refused(lambda: Prompt(message="Which order?", max_retries=5))),
                   Option("An intent with 1,500 sample utterances", "Accepted: 1,500 is the "
                          "default quota of sample utterances per intent.",
                          _refused(lambda: Intent(name="Many", utterances=tuple(
                              f"utterance number {n}" for n in range(1500))))),
               ], difficulty="hard", references=(SAMPLE_UTTERANCES_PAGE, PROMPT_PAGE,
                                                 QUOTAS_PAGE, BUILT_IN_SLOTS_PAGE), **lex),
    ]


def _computed_by_engine(scenario: Any) -> list[dict[str, Any]]:
    resolver = resolver_for(scenario)

    def allowed(ask: str) -> bool:
        return resolver.ask(parse_question(ask)).allowed

    source = f"when aws:SourceArn = {PROD_ALIAS} and aws:SourceAccount = {ACCOUNT}"
    invoke = f"lambda:InvokeFunction {FUNCTION} {source}"
    principals = [("lexv2.amazonaws.com", "the Lex V2 service principal, which the policy "
                                          "names"),
                  ("lex.amazonaws.com", "Lex V1's principal"),
                  ("lambda.amazonaws.com", "the principal a Lambda execution role trusts"),
                  ("cognito-identity.amazonaws.com", "the identity pool's web identity")]
    actions = ["DetectSentiment", "DetectDominantLanguage", "DetectEntities",
               "BatchDetectSentiment", "DetectKeyPhrases"]
    big = MAX_SENTIMENT_BYTES + 1000
    refused_big = _raises(lambda: sentiment_of("great " * (big // 6), "en"))
    return [
        choice(ABOUT, "lex-comprehend-chatbot-invoking-principal",
               "The fulfillment function's resource-based policy is written for the bot's "
               "production alias. Which caller may invoke the function from that alias "
               "(with aws:SourceArn and aws:SourceAccount set)?",
               [Option(p, f"{'Right' if allowed(f'{p} {invoke}') else 'Wrong'}: {why}.",
                       allowed(f"{p} {invoke}")) for p, why in principals],
               topic="policy-types", changed=LEX_V1_CHANGE,
               references=(LAMBDA_POLICY, LEX_V1_PERMISSIONS)),
        choice(ABOUT, "lex-comprehend-chatbot-comprehend-actions",
               "The execution role allows comprehend:DetectSentiment and "
               "comprehend:DetectDominantLanguage on *. Which calls can the function make?",
               [Option(f"comprehend:{a}",
                       "Allowed: the policy names it." if allowed(f"{_EXEC} comprehend:{a} *")
                       else "Refused: no statement names this action; batch and other "
                            "detection APIs are separate actions.",
                       allowed(f"{_EXEC} comprehend:{a} *")) for a in actions],
               topic="comprehend", references=(COMPREHEND_ACTIONS,)),
        true_false(ABOUT, "lex-comprehend-chatbot-sentiment-size",
                   f"The function can send one {big:,}-byte review to DetectSentiment in a "
                   "single call.", not refused_big,
                   "Wrong: DetectSentiment takes at most 5 KB of UTF-8 text; split the text "
                   "or use BatchDetectSentiment or an asynchronous job.",
                   "Right: the text is over DetectSentiment's 5 KB limit, so the call fails "
                   "with TextSizeLimitExceededException.", topic="comprehend",
                   references=(DETECT_SENTIMENT_PAGE,)),
    ]


def _raises(call: Callable[[], object]) -> bool:
    try:
        call()
    except ValueError:
        return True
    return False


def questions(scenario: Any) -> list[dict[str, Any]]:
    return _decisions() + _model_questions() + _computed_by_engine(scenario)
