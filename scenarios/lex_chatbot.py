"""lex-comprehend-chatbot: a support chatbot on Amazon Lex V2 whose fulfillment function
reads the sentiment of customer feedback with Amazon Comprehend.

The architecture, and the AWS pages each part rests on:

- a Cognito identity pool whose authenticated and unauthenticated roles trust
  `cognito-identity.amazonaws.com` for sts:AssumeRoleWithWebIdentity only for tokens of
  this pool (`cognito-identity.amazonaws.com:aud`) and of the right kind (`...:amr`
  containing `authenticated` or `unauthenticated`) (role-trust-and-permissions.html);
- signed-in users' role may call lex:RecognizeText and lex:RecognizeUtterance on the
  production bot alias, `arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT-ID/ALIAS-ID`
  (list_amazonlexv2.html), not on TSTALIASID, the alias of the Draft version meant for
  manual testing (lexv2/latest/dg/quotas.html), and execute-api:Invoke on the POST /chat route
  (api-gateway-control-access-using-iam-policies-to-invoke-api.html); guests may read the
  FAQ route only;
- the fulfillment Lambda function's resource-based policy lets the Lex V2 service
  principal invoke it only from that alias and account (`aws:SourceArn`,
  `aws:SourceAccount`: access-control-resource-based.html, confused-deputy.html);
- the function's execution role may call comprehend:DetectSentiment and
  comprehend:DetectDominantLanguage (which take `Resource: "*"`,
  list_amazoncomprehend.html) and write its own log group (lambda-intro-execution-role.html).

What changed: Lex V1 invoked functions as `lex.amazonaws.com` with an intent ARN as the
source (lex/latest/dg/howitworks-service-permissions.html); AWS ended Lex V1 support on
September 15, 2025. Lex V2 invokes the function attached to a bot alias, and the source is
the alias ARN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import RenderableType

from policy_engine.scenario.api import AccessCheck, Check, Narrate
from policy_engine.scenario.build import (
    authorization_details,
    document,
    inline,
    role,
    trust_service,
)
from scenarios.lex_model import (
    Bot,
    BotAlias,
    BotLocale,
    Confirmation,
    Intent,
    Prompt,
    Slot,
    SlotType,
    SlotTypeValue,
)

ACCOUNT = "111122223333"
REGION = "us-east-1"
POOL = "us-east-1:4d2a7c1e-5b8f-4a3e-9c6d-2f1e0b7a9c44"
USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Xq7Lm2Pe9"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:support-fulfillment"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/support-fulfillment"
LOG_STREAM = LOG_GROUP + ":log-stream:2025/01/15/[$LATEST]7f3c2a9d41e84b6a"
API = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:k7q2m9x4za/prod"
CHAT_ROUTE = API + "/POST/chat"
FAQ_ROUTE = API + "/GET/faq"
OTHER_BOT_ALIAS = f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/INVNTRYB07/PRODALIAS7"

_COGNITO = "https://docs.aws.amazon.com/cognito/latest/developerguide/"
COGNITO_TRUST = _COGNITO + "role-trust-and-permissions.html"
COGNITO_ROLES = _COGNITO + "iam-roles.html"
_SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/"
LEX_ACTIONS = _SAR + "list_amazonlexv2.html"
COMPREHEND_ACTIONS = _SAR + "list_amazoncomprehend.html"
LAMBDA_POLICY = "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"
EXECUTION_ROLE = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"
CONFUSED_DEPUTY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
API_IAM = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/"
           "api-gateway-control-access-using-iam-policies-to-invoke-api.html")
LEX_V1_PERMISSIONS = "https://docs.aws.amazon.com/lex/latest/dg/howitworks-service-permissions.html"
LEX_V1_CHANGE = ("Lex V1 invoked Lambda functions as lex.amazonaws.com with an intent ARN as "
                 "the source; Lex V1 support ended on September 15, 2025. Lex V2 invokes "
                 "the function attached to a bot alias, and the source ARN is the alias's.")


def support_bot() -> Bot:
    """The bot's vocabulary (validated when built)."""
    products = SlotType(name="ProductType", resolution="TOP_RESOLUTION", values=(
        SlotTypeValue(value="headphones", synonyms=("earbuds", "headset")),
        SlotTypeValue(value="speaker", synonyms=("soundbar", "speakers")),
        SlotTypeValue(value="charger", synonyms=("power adapter", "charging cable"))))
    greeting = Intent(name="Greeting", utterances=("hello", "hi", "good morning"),
                      closing="Hello! I can check an order or take your feedback.")
    order = Intent(
        name="CheckOrderStatus",
        utterances=("where is my order", "check my order", "track order {OrderNumber}",
                    "what is the status of order {OrderNumber}"),
        slots=(Slot(name="OrderNumber", slot_type="AMAZON.AlphaNumeric",
                    prompt=Prompt(message="What is your order number?", max_retries=2)),),
        closing="I've asked our shipping team about order {OrderNumber}; you'll get an "
                "email within a day.")
    feedback = Intent(
        name="LeaveFeedback",
        utterances=("i want to leave feedback", "i have feedback about my {Product}",
                    "i have a complaint about my {Product}", "feedback about the {Product}"),
        slots=(Slot(name="Product", slot_type="ProductType",
                    prompt=Prompt(message="Which product is your feedback about?")),
               Slot(name="Comment", slot_type="AMAZON.FreeFormInput",
                    prompt=Prompt(message="Tell me about your experience with the "
                                          "{Product}.", max_retries=1))),
        confirmation=Confirmation(
            prompt=Prompt(message="Shall I send your feedback about the {Product} to our "
                                  "team?"),
            declination="Okay, I won't send it."),
        fulfillment_code_hook=True)
    return Bot(bot_id="SPRTBT4207", name="SupportBot", region=REGION, account=ACCOUNT,
               locales=(BotLocale(locale_id="en_US", intents=(greeting, order, feedback),
                                  slot_types=(products,)),),
               aliases=(BotAlias(alias_id="PRODALIAS1", name="prod", bot_version="3",
                                 lambda_by_locale={"en_US": FUNCTION}),
                        BotAlias(alias_id="TSTALIASID", name="TestBotAlias",
                                 bot_version="DRAFT", lambda_by_locale={})))


BOT = support_bot()
PROD_ALIAS = BOT.alias_arn(BOT.alias("prod"))
TEST_ALIAS = BOT.alias_arn(BOT.alias("TestBotAlias"))


def cognito_trust(kind: str) -> dict[str, Any]:
    """Trust for tokens of this identity pool whose `amr` has `kind`
    (role-trust-and-permissions.html)."""
    return document({
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": kind}}})


def function_policy() -> dict[str, Any]:
    """Lex V2 may invoke the function only from the production alias of this account."""
    return document({
        "Sid": "AllowSupportBotProdAlias", "Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "lambda:InvokeFunction",
        "Resource": FUNCTION,
        "Condition": {"ArnEquals": {"AWS:SourceArn": PROD_ALIAS},
                      "StringEquals": {"AWS:SourceAccount": ACCOUNT}}})


def _roles() -> list[dict[str, Any]]:
    talk = inline("talk-to-support-bot", {
        "Effect": "Allow", "Action": ["lex:RecognizeText", "lex:RecognizeUtterance"],
        "Resource": PROD_ALIAS}, {
        "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": [CHAT_ROUTE, FAQ_ROUTE]})
    faq = inline("read-faq", {"Effect": "Allow", "Action": "execute-api:Invoke",
                              "Resource": FAQ_ROUTE})
    analyse = inline("detect-sentiment-and-log", {
        "Effect": "Allow",
        "Action": ["comprehend:DetectSentiment", "comprehend:DetectDominantLanguage"],
        "Resource": "*"}, {
        "Effect": "Allow", "Action": "logs:CreateLogGroup",
        "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:*"}, {
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": LOG_GROUP + ":*"})
    return [role(ACCOUNT, "chat-signed-in", cognito_trust("authenticated"), talk),
            role(ACCOUNT, "chat-guest", cognito_trust("unauthenticated"), faq),
            role(ACCOUNT, "support-fulfillment-exec", trust_service("lambda.amazonaws.com"),
                 analyse)]


def web_identity(kind: str, pool: str = POOL) -> str:
    """The `when` clause of a Cognito token: its audience and its amr claim (for signed-in
    users `authenticated` and the providers used, role-trust-and-permissions.html)."""
    amr = f"[authenticated, {USER_POOL}]" if kind == "authenticated" else "[unauthenticated]"
    return (f"when cognito-identity.amazonaws.com:aud = {pool} and "
            f"cognito-identity.amazonaws.com:amr = {amr}")


def lex_invokes(source_arn: str | None) -> str:
    source = f" when aws:SourceArn = {source_arn} and aws:SourceAccount = {ACCOUNT}" \
        if source_arn else ""
    return f"lexv2.amazonaws.com lambda:InvokeFunction {FUNCTION}{source}"


def _role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


class LexComprehendChatbot:
    name = "lex-comprehend-chatbot"
    title = "A Lex V2 support bot with Comprehend sentiment analysis"
    topic = "lex"
    summary = ("Cognito identity pool roles for signed-in users and guests, a Lex V2 bot "
               "alias, a fulfillment function only that alias may invoke, an execution "
               "role limited to two Comprehend APIs and its logs, and an API route.")

    def snapshot(self) -> dict[str, Any]:
        return {
            "format": "policy-engine-snapshot/1",
            "description": "lex-comprehend-chatbot: one account with the bot's roles",
            "accounts": [{"id": ACCOUNT, "name": "support",
                          "authorization_details": authorization_details(roles=_roles())}],
            "resources": {"lambda_functions": [{"arn": FUNCTION,
                                                "policy": function_policy()}]},
        }

    def checks(self) -> Sequence[Check]:
        assume = "cognito-identity.amazonaws.com sts:AssumeRoleWithWebIdentity"
        signed_in, guest = _role_arn("chat-signed-in"), _role_arn("chat-guest")
        exec_role = "role/support-fulfillment-exec"
        other_pool = "us-east-1:0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
        return (
            AccessCheck("a signed-in user's token assumes the authenticated role",
                        f"expect allowed: {assume} {signed_in} {web_identity('authenticated')}",
                        COGNITO_TRUST),
            AccessCheck("a guest's token cannot assume the authenticated role",
                        f"expect implicitDeny: {assume} {signed_in} "
                        f"{web_identity('unauthenticated')}", COGNITO_TRUST),
            AccessCheck("a token of another identity pool cannot assume it",
                        f"expect implicitDeny: {assume} {signed_in} "
                        f"{web_identity('authenticated', other_pool)}", COGNITO_TRUST),
            AccessCheck("a guest's token assumes the unauthenticated role",
                        f"expect allowed: {assume} {guest} {web_identity('unauthenticated')}",
                        COGNITO_TRUST),
            AccessCheck("signed-in users talk to the bot's production alias",
                        f"expect allowed: role/chat-signed-in lex:RecognizeText {PROD_ALIAS}",
                        LEX_ACTIONS),
            AccessCheck("signed-in users send speech to the production alias",
                        "expect allowed: role/chat-signed-in lex:RecognizeUtterance "
                        f"{PROD_ALIAS}", LEX_ACTIONS),
            AccessCheck("guests cannot talk to the bot",
                        f"expect implicitDeny: role/chat-guest lex:RecognizeText {PROD_ALIAS}",
                        COGNITO_ROLES),
            AccessCheck("signed-in users cannot talk to the draft test alias",
                        f"expect implicitDeny: role/chat-signed-in lex:RecognizeText "
                        f"{TEST_ALIAS}", LEX_ACTIONS),
            AccessCheck("Lex V2 invokes the function from the production alias",
                        f"expect allowed: {lex_invokes(PROD_ALIAS)}", LAMBDA_POLICY),
            AccessCheck("another bot cannot invoke the function",
                        f"expect implicitDeny: {lex_invokes(OTHER_BOT_ALIAS)}", CONFUSED_DEPUTY),
            AccessCheck("a Lex request without a source ARN is refused",
                        f"expect implicitDeny: {lex_invokes(None)}", CONFUSED_DEPUTY),
            AccessCheck("Lex V1's principal lex.amazonaws.com is not the one allowed",
                        f"expect implicitDeny: lex.amazonaws.com lambda:InvokeFunction "
                        f"{FUNCTION} when aws:SourceArn = {PROD_ALIAS} and "
                        f"aws:SourceAccount = {ACCOUNT}", LEX_V1_PERMISSIONS),
            AccessCheck("the function detects sentiment",
                        f"expect allowed: {exec_role} comprehend:DetectSentiment *",
                        COMPREHEND_ACTIONS),
            AccessCheck("the function detects the dominant language",
                        f"expect allowed: {exec_role} comprehend:DetectDominantLanguage *",
                        COMPREHEND_ACTIONS),
            AccessCheck("the function cannot detect entities",
                        f"expect implicitDeny: {exec_role} comprehend:DetectEntities *",
                        COMPREHEND_ACTIONS),
            AccessCheck("the function cannot start sentiment jobs",
                        f"expect implicitDeny: {exec_role} comprehend:StartSentimentDetectionJob "
                        f"arn:aws:comprehend:{REGION}:{ACCOUNT}:sentiment-detection-job/*",
                        COMPREHEND_ACTIONS),
            AccessCheck("BatchDetectSentiment is another action, not allowed",
                        f"expect implicitDeny: {exec_role} comprehend:BatchDetectSentiment *",
                        COMPREHEND_ACTIONS),
            AccessCheck("the function writes its own log stream",
                        f"expect allowed: {exec_role} logs:PutLogEvents {LOG_STREAM}",
                        EXECUTION_ROLE),
            AccessCheck("signed-in users call POST /chat",
                        f"expect allowed: role/chat-signed-in execute-api:Invoke {CHAT_ROUTE}",
                        API_IAM),
            AccessCheck("guests cannot call POST /chat",
                        f"expect implicitDeny: role/chat-guest execute-api:Invoke {CHAT_ROUTE}",
                        API_IAM),
        )

    def questions(self) -> Sequence[Mapping[str, Any]]:
        from scenarios.lex_chatbot_questions import questions

        return questions(self)

    def describe(self) -> RenderableType:
        from scenarios.lex_describe import bot_tree

        return bot_tree(BOT)

    def run(self, narrate: Narrate) -> None:
        from scenarios.lex_walkthrough import walk_through

        walk_through(self, narrate)


SCENARIO = LexComprehendChatbot()
