"""The narrated walk-through of lex-comprehend-chatbot: Cognito hands out role
credentials, a guest is refused by the bot, a signed-in user leaves feedback (intent
recognized by the bot model, slots elicited, confirmation asked, the fulfillment function
invoked and its Comprehend and Logs calls made) and asks about an order; every AWS call
on the way is first decided by the engine over the scenario's snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policy_engine.scenario.api import Narrate
from scenarios.lex_chatbot import (
    ACCOUNT,
    BOT,
    CHAT_ROUTE,
    FUNCTION,
    LOG_STREAM,
    OTHER_BOT_ALIAS,
    POOL,
    PROD_ALIAS,
    USER_POOL,
)
from scenarios.lex_conversation import Conversation, Reply, recognize
from scenarios.lex_fulfillment import AccessDenied, Authorizer, FulfillmentFunction
from scenarios.lex_model import Intent, overlapping_utterances

EXEC_ROLE = "role/support-fulfillment-exec"
AMR = {"authenticated": f"[authenticated, {USER_POOL}]", "unauthenticated": "[unauthenticated]"}


def _token(kind: str) -> dict[str, str]:
    return {"cognito-identity.amazonaws.com:aud": POOL,
            "cognito-identity.amazonaws.com:amr": AMR[kind]}


def _try(narrate: Narrate, what: str, call: Any) -> bool:
    """Narrates the engine's answer to one call; True when it was allowed."""
    try:
        reason = call()
    except AccessDenied as refused:
        narrate(f"  [red]refused[/red] {what}: {refused}")
        return False
    narrate(f"  [green]allowed[/green] {what} ({reason})")
    return True


def _credentials(auth: Authorizer, narrate: Narrate) -> None:
    narrate("Cognito exchanges identity-pool tokens for role credentials "
            "(AssumeRoleWithWebIdentity, decided by each role's trust policy):")
    web = "cognito-identity.amazonaws.com"
    for kind, role_name in (("authenticated", "chat-signed-in"),
                            ("unauthenticated", "chat-signed-in"),
                            ("unauthenticated", "chat-guest")):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{role_name}"
        _try(narrate, f"{kind} token -> {role_name}", lambda arn=arn, kind=kind: auth.require(
            web, "sts:AssumeRoleWithWebIdentity", arn, _token(kind)))


def _say(narrate: Narrate, reply: Reply) -> None:
    narrate(f"  bot ({reply.step.value}): {reply.message}")


def _feedback(auth: Authorizer, narrate: Narrate, function: FulfillmentFunction) -> None:
    locale = BOT.locale("en_US")

    def fulfill(intent: Intent, slots: Mapping[str, str]) -> str:
        reason, message = function.invoke_from_lex(PROD_ALIAS, ACCOUNT, intent, slots)
        narrate(f"  [green]allowed[/green] Lex V2 invokes {FUNCTION} ({reason})")
        for call in function.calls:
            narrate(f"  [green]allowed[/green] the function calls {call}")
        for event in function.log_events:
            narrate(f"  the function logged: {event}")
        return message

    first = "I have a complaint about my earbuds"
    found = recognize(locale, first)
    narrate(f"Signed-in user: {first!r} -> intent {found.intent} by the sample utterance "
            f"{found.utterance!r}, Product said as {found.slots.get('Product')!r}")
    talk = Conversation(locale, fulfill)
    _say(narrate, talk.start(first))
    comment = "They stopped working after two days and the refund is late"
    narrate(f"  user: {comment}")
    _say(narrate, talk.answer(comment))
    narrate("  user: yes")
    try:
        _say(narrate, talk.answer("yes"))
    except AccessDenied as refused:
        narrate(f"  [red]refused[/red] fulfillment: {refused}")


def _order(narrate: Narrate) -> None:
    locale = BOT.locale("en_US")
    talk = Conversation(locale, lambda intent, slots: "")
    narrate("Signed-in user: 'where is my order' (no order number in the utterance)")
    _say(narrate, talk.start("where is my order"))
    for said in ("it's ab-12?", "AB12345"):
        narrate(f"  user: {said}")
        _say(narrate, talk.answer(said))
    unknown = "what's the weather"
    narrate(f"Unknown request {unknown!r} -> intent {recognize(locale, unknown).intent}")


def walk_through(scenario: Any, narrate: Narrate) -> None:
    auth = Authorizer(scenario)
    locale = BOT.locale("en_US")
    overlaps = overlapping_utterances(locale)
    narrate(f"Bot {BOT.name}: {len(locale.intents)} intents, {len(locale.slot_types)} custom "
            f"slot type(s), validated; utterances shared by intents: {len(overlaps)}")
    _credentials(auth, narrate)
    narrate("A guest asks the bot 'where is my order':")
    _try(narrate, "lex:RecognizeText as chat-guest", lambda: auth.require(
        "role/chat-guest", "lex:RecognizeText", PROD_ALIAS))
    narrate("A signed-in user opens the chat through the API and talks to the bot:")
    _try(narrate, "POST /chat as chat-signed-in", lambda: auth.require(
        "role/chat-signed-in", "execute-api:Invoke", CHAT_ROUTE))
    _try(narrate, "lex:RecognizeText as chat-signed-in", lambda: auth.require(
        "role/chat-signed-in", "lex:RecognizeText", PROD_ALIAS))
    function = FulfillmentFunction(auth, FUNCTION, EXEC_ROLE, LOG_STREAM)
    _feedback(auth, narrate, function)
    narrate("The function's role is limited to two Comprehend APIs:")
    _try(narrate, "comprehend:DetectEntities by the function", lambda: auth.require(
        EXEC_ROLE, "comprehend:DetectEntities", "*"))
    narrate("Other callers of the function:")
    _try(narrate, "another bot's alias invokes it", lambda: auth.require(
        "lexv2.amazonaws.com", "lambda:InvokeFunction", FUNCTION,
        {"aws:SourceArn": OTHER_BOT_ALIAS, "aws:SourceAccount": ACCOUNT}))
    _try(narrate, "Lex V2 without a source ARN", lambda: auth.require(
        "lexv2.amazonaws.com", "lambda:InvokeFunction", FUNCTION))
    _order(narrate)
