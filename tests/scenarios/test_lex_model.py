"""The Lex V2 bot model of lex-comprehend-chatbot: the documented build rules it enforces,
the conversation it runs (intent recognition, slot elicitation and retries, confirmation,
fulfillment, the fallback intent), and the Comprehend stand-in's documented limits."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scenarios.lex_chatbot import BOT, FUNCTION
from scenarios.lex_conversation import FALLBACK_INTENT, Conversation, Step, recognize, resolve
from scenarios.lex_fulfillment import dominant_language, sentiment_of
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
    overlapping_utterances,
)

ASK = Prompt(message="Which one?")


def _slot(name: str, slot_type: str = "AMAZON.Number", **extra: object) -> Slot:
    return Slot(name=name, slot_type=slot_type, prompt=ASK, **extra)  # type: ignore[arg-type]


def _locale(*intents: Intent, slot_types: tuple[SlotType, ...] = ()) -> BotLocale:
    return BotLocale(locale_id="en_US", intents=intents, slot_types=slot_types)


def test_the_support_bot_validates_and_shares_no_utterance() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/dg/sample-utterances.html"""
    locale = BOT.locale("en_US")
    assert [i.name for i in locale.intents] == ["Greeting", "CheckOrderStatus", "LeaveFeedback"]
    assert overlapping_utterances(locale) == {}


def test_an_utterance_naming_a_slot_the_intent_lacks_is_refused() -> None:
    """A `{Slot}` in a sample utterance must be a slot defined for the intent
    (https://docs.aws.amazon.com/lexv2/latest/dg/sample-utterances.html)."""
    with pytest.raises(ValidationError) as raised:
        Intent(name="CancelOrder", utterances=("cancel order {OrderId}",),
               slots=(_slot("OrderNumber"),))
    assert "intent CancelOrder" in str(raised.value) and "{OrderId}" in str(raised.value)
    assert "sample-utterances.html" in str(raised.value)
    Intent(name="CancelOrder", utterances=("cancel order {OrderNumber}",),
           slots=(_slot("OrderNumber"),))


def test_a_slot_type_must_be_built_in_or_a_custom_type_of_the_locale() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/dg/built-in-slots.html;
    https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateSlot.html"""
    colour = Intent(name="PickColour", utterances=("paint it {Colour}",),
                    slots=(_slot("Colour", "AMAZON.Colour"),))
    with pytest.raises(ValidationError, match="neither a built-in slot type"):
        _locale(colour)
    custom = Intent(name="PickColour", utterances=("paint it {Colour}",),
                    slots=(_slot("Colour", "ColourType"),))
    colours = SlotType(name="ColourType", values=(SlotTypeValue(value="red"),))
    assert _locale(custom, slot_types=(colours,)).slot_type("ColourType") is colours
    _locale(Intent(name="When", utterances=("on {Day}",),
                   slots=(_slot("Day", "AMAZON.Date"),)))


@pytest.mark.parametrize(("name", "valid"), [
    ("OrderStatus", True), ("Order_Status", True), ("order-status-2", True),
    ("Order Status", False), ("Order__Status", False), ("_Order", False),
    ("AMAZON.Help", False), ("a" * 100, True), ("a" * 101, False)])
def test_names_follow_the_documented_pattern(name: str, valid: bool) -> None:
    """Intent, slot and slot type names match `^([0-9a-zA-Z][_-]?){1,100}$`
    (https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateIntent.html)."""
    if valid:
        Intent(name=name, utterances=("hello",))
    else:
        with pytest.raises(ValidationError):
            Intent(name=name, utterances=("hello",))


def test_intent_names_are_unique_in_a_locale_and_slot_names_in_an_intent() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateIntent.html;
    https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateSlot.html"""
    hello = Intent(name="Hello", utterances=("hello",))
    with pytest.raises(ValidationError, match="intent Hello is defined twice"):
        _locale(hello, Intent(name="Hello", utterances=("hi",)))
    with pytest.raises(ValidationError, match="slot Day is defined twice"):
        Intent(name="When", utterances=("when",), slots=(_slot("Day"), _slot("Day")))


@pytest.mark.parametrize(("retries", "valid"), [(0, True), (5, True), (6, False), (-1, False)])
def test_a_prompt_is_asked_again_zero_to_five_times(retries: int, valid: bool) -> None:
    """https://docs.aws.amazon.com/lexv2/latest/APIReference/API_PromptSpecification.html"""
    if valid:
        assert Prompt(message="Which?", max_retries=retries).max_retries == retries
    else:
        with pytest.raises(ValidationError):
            Prompt(message="Which?", max_retries=retries)


def test_a_plain_text_message_is_one_to_a_thousand_characters() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/APIReference/API_PlainTextMessage.html"""
    Prompt(message="x" * 1000)
    for message in ("", "x" * 1001):
        with pytest.raises(ValidationError):
            Prompt(message=message)


def test_the_build_time_quotas_on_utterances_and_slots() -> None:
    """1,500 sample utterances per intent, 500 characters per utterance, 100 slots per
    intent (https://docs.aws.amazon.com/lexv2/latest/dg/quotas.html)."""
    Intent(name="Many", utterances=tuple(f"say {n}" for n in range(1500)))
    with pytest.raises(ValidationError):
        Intent(name="Many", utterances=tuple(f"say {n}" for n in range(1501)))
    Intent(name="Long", utterances=("x" * 500,))
    with pytest.raises(ValidationError):
        Intent(name="Long", utterances=("x" * 501,))
    slots = tuple(_slot(f"S{n}") for n in range(101))
    Intent(name="Wide", utterances=("go",), slots=slots[:100])
    with pytest.raises(ValidationError):
        Intent(name="Wide", utterances=("go",), slots=slots)


def test_a_custom_slot_type_has_values_of_at_most_140_characters() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/APIReference/API_CreateSlotType.html;
    https://docs.aws.amazon.com/lexv2/latest/APIReference/API_SampleValue.html"""
    with pytest.raises(ValidationError):
        SlotType(name="Empty", values=())
    with pytest.raises(ValidationError):
        SlotType(name="Long", values=(SlotTypeValue(value="v" * 141),))
    SlotType(name="Long", values=(SlotTypeValue(value="v" * 140, synonyms=("w" * 140,)),))


def test_an_alias_attaches_functions_only_for_the_bots_locales() -> None:
    """One Lambda function per locale of the alias, a `LambdaCodeHook` ARN
    (https://docs.aws.amazon.com/lexv2/latest/dg/lambda-attach-api.html;
    https://docs.aws.amazon.com/lexv2/latest/APIReference/API_LambdaCodeHook.html)."""
    locale = _locale(Intent(name="Hello", utterances=("hello",)))

    def bot(lambdas: dict[str, str]) -> Bot:
        return Bot(bot_id="ABCDE12345", name="B", region="us-east-1", account="111122223333",
                   locales=(locale,), aliases=(BotAlias(alias_id="ALIAS12345", name="live",
                                                        bot_version="1",
                                                        lambda_by_locale=lambdas),))
    assert bot({"en_US": FUNCTION}).alias("live").lambda_by_locale["en_US"] == FUNCTION
    with pytest.raises(ValidationError, match="locale fr_FR, which the bot does not have"):
        bot({"fr_FR": FUNCTION})
    with pytest.raises(ValidationError):
        bot({"en_US": "arn:aws:s3:::not-a-function"})


def test_the_alias_arn_has_the_documented_format() -> None:
    """`arn:${Partition}:lex:${Region}:${Account}:bot-alias/${BotId}/${BotAliasId}`
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonlexv2.html)."""
    assert BOT.alias_arn(BOT.alias("prod")) == \
        "arn:aws:lex:us-east-1:111122223333:bot-alias/SPRTBT4207/PRODALIAS1"


def test_an_utterance_in_two_intents_is_reported_not_refused() -> None:
    """The Lex V2 guide states no uniqueness rule across intents; the overlap is reported
    (https://docs.aws.amazon.com/lexv2/latest/dg/sample-utterances.html)."""
    locale = _locale(Intent(name="A", utterances=("help me",)),
                     Intent(name="B", utterances=("Help me", "other")))
    assert overlapping_utterances(locale) == {"help me": ("A", "B")}


# --- the conversation ------------------------------------------------------------------

def _no_hook(intent: Intent, slots: object) -> str:
    raise AssertionError("no code hook expected")


def test_an_utterance_with_its_slot_is_recognized_and_fulfilled_at_once() -> None:
    """Slot values in an utterance fill the intent's slots
    (https://docs.aws.amazon.com/lexv2/latest/dg/sample-utterances.html)."""
    locale = BOT.locale("en_US")
    found = recognize(locale, "Track order AB12345!")
    assert (found.intent, dict(found.slots)) == ("CheckOrderStatus", {"OrderNumber": "AB12345"})
    reply = Conversation(locale, _no_hook).start("Track order AB12345!")
    assert reply.step is Step.FULFILLED and "order AB12345;" in reply.message


def test_the_match_with_more_literal_words_wins_and_nothing_goes_to_fallback() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/dg/built-in-intent-fallback.html"""
    locale = _locale(Intent(name="Loose", utterances=("order {Thing}",),
                            slots=(_slot("Thing", "AMAZON.FreeFormInput"),)),
                     Intent(name="Exact", utterances=("order status {Id}",),
                            slots=(_slot("Id", "AMAZON.AlphaNumeric"),)))
    assert recognize(locale, "order status X1").intent == "Exact"
    assert recognize(locale, "order pizza").intent == "Loose"
    assert recognize(locale, "sing a song").intent == FALLBACK_INTENT
    reply = Conversation(locale, _no_hook).start("sing a song")
    assert reply.step is Step.FAILED


def test_custom_slot_values_resolve_by_the_types_strategy() -> None:
    """TOP_RESOLUTION accepts only values and synonyms and returns the value; ORIGINAL_VALUE
    (the default) also takes values beyond the list and returns what was said
    (https://docs.aws.amazon.com/lexv2/latest/dg/quotas.html, "General guidelines";
    https://docs.aws.amazon.com/lexv2/latest/APIReference/API_SlotValueSelectionSetting.html)."""
    locale = BOT.locale("en_US")
    product = locale.intent("LeaveFeedback").slot("Product")  # type: ignore[union-attr]
    assert product is not None
    assert resolve(locale, product, "Power Adapter") == "charger"
    assert resolve(locale, product, "toaster") is None
    original = SlotType(name="Kind", values=(SlotTypeValue(value="a", synonyms=("alpha",)),))
    kind = _slot("K", "Kind")
    assert resolve(_locale(Intent(name="I", utterances=("{K}",), slots=(kind,)),
                           slot_types=(original,)), kind, "Alpha") == "Alpha"
    assert resolve(_locale(Intent(name="I", utterances=("{K}",), slots=(kind,)),
                           slot_types=(original,)), kind, "earth") == "earth"


def test_missing_slots_are_elicited_in_priority_order_then_confirmed() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/APIReference/API_IntentConfirmationSetting.html"""
    calls: list[dict[str, str]] = []

    def hook(intent: Intent, slots: object) -> str:
        calls.append(dict(slots))  # type: ignore[call-overload]
        return "sent"
    talk = Conversation(BOT.locale("en_US"), hook)
    first = talk.start("i want to leave feedback")
    assert (first.step, first.slot) == (Step.ELICIT_SLOT, "Product")
    second = talk.answer("a soundbar")
    assert second.step is Step.ELICIT_SLOT  # `a soundbar` is not a value or synonym
    third = talk.answer("soundbar")
    assert (third.slot, third.message) == ("Comment", "Tell me about your experience "
                                                      "with the speaker.")
    confirm = talk.answer("Works great")
    assert confirm.step is Step.CONFIRM_INTENT and "the speaker" in confirm.message
    assert talk.answer("maybe").step is Step.CONFIRM_INTENT  # neither yes nor no
    assert talk.answer("yes").message == "sent"
    assert calls == [{"Product": "speaker", "Comment": "Works great"}]
    with pytest.raises(ValueError, match="ended"):
        talk.answer("hello again")


def test_declining_the_confirmation_says_the_declination() -> None:
    """https://docs.aws.amazon.com/lexv2/latest/APIReference/API_IntentConfirmationSetting.html"""
    intent = Intent(name="Send", utterances=("send it",), fulfillment_code_hook=True,
                    confirmation=Confirmation(prompt=Prompt(message="Sure?"),
                                              declination="Not sent."))
    talk = Conversation(_locale(intent), _no_hook)
    assert talk.start("send it").step is Step.CONFIRM_INTENT
    reply = talk.answer("no")
    assert (reply.step, reply.message) == (Step.DECLINED, "Not sent.")


def test_a_prompt_gives_up_after_its_retries() -> None:
    """maxRetries: how many times the prompt is asked again
    (https://docs.aws.amazon.com/lexv2/latest/APIReference/API_PromptSpecification.html)."""
    talk = Conversation(BOT.locale("en_US"), _no_hook)
    assert talk.start("where is my order").slot == "OrderNumber"
    assert talk.answer("no idea!?").step is Step.ELICIT_SLOT
    assert talk.answer("it's #1").step is Step.ELICIT_SLOT
    assert talk.answer("#").step is Step.FAILED  # OrderNumber's prompt retries twice


# --- the Comprehend stand-in -----------------------------------------------------------

def test_detect_sentiment_takes_at_most_5_kb_of_utf8() -> None:
    """https://docs.aws.amazon.com/comprehend/latest/APIReference/API_DetectSentiment.html"""
    assert sentiment_of("a" * 5000, "en").sentiment == "NEUTRAL"
    with pytest.raises(ValueError, match="TextSizeLimitExceededException"):
        sentiment_of("a" * 5001, "en")
    with pytest.raises(ValueError, match="TextSizeLimitExceededException"):
        sentiment_of("é" * 2501, "en")  # 2,501 characters, 5,002 bytes


def test_detect_sentiment_takes_only_its_languages() -> None:
    """https://docs.aws.amazon.com/comprehend/latest/APIReference/API_DetectSentiment.html"""
    assert sentiment_of("good", "zh-TW").sentiment == "POSITIVE"
    with pytest.raises(ValueError, match="UnsupportedLanguageException"):
        sentiment_of("good", "nl")


@pytest.mark.parametrize(("text", "label"), [
    ("They stopped working and the refund is late", "NEGATIVE"),
    ("Great sound, fast delivery, thanks", "POSITIVE"),
    ("Great sound but the strap is broken", "MIXED"),
    ("The box is blue", "NEUTRAL")])
def test_the_stand_in_answers_the_four_sentiments(text: str, label: str) -> None:
    """https://docs.aws.amazon.com/comprehend/latest/APIReference/API_DetectSentiment.html"""
    found = sentiment_of(text, "en")
    assert found.sentiment == label
    assert set(found.scores) == {"Positive", "Negative", "Neutral", "Mixed"}


def test_the_stand_in_detects_the_dominant_language_of_20_characters_to_100_kb() -> None:
    """https://docs.aws.amazon.com/comprehend/latest/APIReference/API_DetectDominantLanguage.html"""
    assert dominant_language("el pedido no llegó y la caja de los auriculares")[0] == "es"
    assert dominant_language("the order was late and it is broken")[0] == "en"
    assert dominant_language("x" * 20)[1] == 0.0
    with pytest.raises(ValueError, match="at least 20 characters"):
        dominant_language("x" * 19)
    with pytest.raises(ValueError, match="TextSizeLimitExceededException"):
        dominant_language("x" * 100_001)
