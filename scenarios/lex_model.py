"""A Lex V2 bot's vocabulary as a typed model that checks itself against the documented
rules: intents with sample utterances, slots of built-in or custom slot types, prompts,
an intent confirmation, and the fulfillment code hook; the bot alias that names the
Lambda function for each locale.

Only rules AWS documents are enforced; each names its page:

- names of intents, slots and slot types match `^([0-9a-zA-Z][_-]?){1,100}$`
  (API_CreateIntent.html, API_CreateSlot.html, API_CreateSlotType.html);
- intent names are unique in the locale (API_CreateIntent.html); slot names are unique
  in their intent (API_CreateSlot.html says "unique within the bot", the stronger rule);
- a `{SlotName}` in a sample utterance is a slot defined for that intent
  (sample-utterances.html);
- a slot's type is a built-in slot type (built-in-slots.html) or a custom slot type of
  the same locale (API_CreateSlot.html, slotTypeId); a custom slot type has at least one
  value and each value or synonym is 1 to 140 characters (API_CreateSlotType.html,
  API_SampleValue.html);
- at most 1,500 sample utterances per intent, 500 characters per utterance and 100 slots
  per intent (quotas.html, build-time quotas);
- a prompt retries 0 to 5 times (API_PromptSpecification.html) and a plain-text message
  is 1 to 1,000 characters (API_PlainTextMessage.html);
- the alias attaches one Lambda function per locale (lambda-attach-api.html), an ARN of
  the documented `LambdaCodeHook` shape (API_LambdaCodeHook.html), and only for locales
  the bot has.

Two intents may share a sample utterance: the guide calls it confusable training data and
advises input contexts to tell the intents apart (quotas.html, "General guidelines"), so
the model does not refuse one; `overlapping_utterances` reports them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

_LEX = "https://docs.aws.amazon.com/lexv2/latest/dg/"
_API = "https://docs.aws.amazon.com/lexv2/latest/APIReference/"
SAMPLE_UTTERANCES_PAGE = _LEX + "sample-utterances.html"
BUILT_IN_SLOTS_PAGE = _LEX + "built-in-slots.html"
QUOTAS_PAGE = _LEX + "quotas.html"
LAMBDA_ATTACH_PAGE = _LEX + "lambda-attach-api.html"
CREATE_INTENT_PAGE = _API + "API_CreateIntent.html"
CREATE_SLOT_PAGE = _API + "API_CreateSlot.html"
CREATE_SLOT_TYPE_PAGE = _API + "API_CreateSlotType.html"
PROMPT_PAGE = _API + "API_PromptSpecification.html"

# The built-in slot types of Lex V2 (built-in-slots.html).
BUILT_IN_SLOT_TYPES: Final = frozenset({
    "AMAZON.AlphaNumeric", "AMAZON.City", "AMAZON.Confirmation", "AMAZON.Country",
    "AMAZON.Currency", "AMAZON.Date", "AMAZON.Duration", "AMAZON.EmailAddress",
    "AMAZON.FirstName", "AMAZON.LastName", "AMAZON.Number", "AMAZON.Percentage",
    "AMAZON.PhoneNumber", "AMAZON.State", "AMAZON.StreetName", "AMAZON.Time",
    "AMAZON.UKPostalCode", "AMAZON.FreeFormInput"})

MAX_UTTERANCES_PER_INTENT: Final = 1500
MAX_UTTERANCE_CHARACTERS: Final = 500
MAX_SLOTS_PER_INTENT: Final = 100
MAX_PROMPT_RETRIES: Final = 5

_NAME: Final = r"^([0-9a-zA-Z][_-]?){1,100}$"
_SLOT_REFERENCE: Final = re.compile(r"\{([^{}]*)\}")
_LAMBDA_ARN: Final = (r"^arn:aws:lambda:[a-z]+-[a-z]+-[0-9]:[0-9]{12}:function:[a-zA-Z0-9-_]+"
                      r"(:[a-zA-Z0-9-_]+)?$")

Name = Annotated[str, StringConstraints(pattern=_NAME, max_length=100)]
Message = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
SampleValue = Annotated[str, StringConstraints(min_length=1, max_length=140)]
Utterance = Annotated[str, StringConstraints(min_length=1,
                                             max_length=MAX_UTTERANCE_CHARACTERS)]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prompt(_Closed):
    """What Lex says to ask for something, and how many times it asks again."""

    message: Message
    max_retries: int = Field(2, ge=0, le=MAX_PROMPT_RETRIES)


class SlotTypeValue(_Closed):
    value: SampleValue
    synonyms: tuple[SampleValue, ...] = ()


class SlotType(_Closed):
    """A custom slot type: its values, and how Lex resolves what the user said:
    `TOP_RESOLUTION` only to a value or a synonym, returning the value; `ORIGINAL_VALUE`
    (the default, API_CreateSlotType.html) also to values beyond the list, returning the
    words said (quotas.html, "General guidelines")."""

    name: Name
    values: tuple[SlotTypeValue, ...] = Field(min_length=1, max_length=10000)
    resolution: Literal["ORIGINAL_VALUE", "TOP_RESOLUTION"] = "ORIGINAL_VALUE"


class Slot(_Closed):
    name: Name
    slot_type: str  # `AMAZON.Date` or the name of a custom slot type of the locale
    required: bool = True
    prompt: Prompt


class Confirmation(_Closed):
    """The yes-or-no question before fulfillment, and what Lex says on "no"."""

    prompt: Prompt
    declination: Message


class Intent(_Closed):
    name: Name
    utterances: tuple[Utterance, ...] = Field(max_length=MAX_UTTERANCES_PER_INTENT)
    slots: tuple[Slot, ...] = Field((), max_length=MAX_SLOTS_PER_INTENT)  # priority order
    confirmation: Confirmation | None = None
    fulfillment_code_hook: bool = False  # invoke the alias's Lambda function to fulfill
    closing: Message | None = None

    @model_validator(mode="after")
    def _slots_are_known(self) -> Intent:
        duplicates = sorted(n for n, c in Counter(s.name for s in self.slots).items() if c > 1)
        if duplicates:
            raise ValueError(f"intent {self.name}: slot {duplicates[0]} is defined twice; "
                             f"slot names are unique ({CREATE_SLOT_PAGE})")
        names = {slot.name for slot in self.slots}
        for utterance in self.utterances:
            for referenced in slot_references(utterance):
                if referenced not in names:
                    raise ValueError(
                        f"intent {self.name}: utterance {utterance!r} names slot "
                        f"{{{referenced}}}, which the intent does not define "
                        f"({SAMPLE_UTTERANCES_PAGE})")
        return self

    def slot(self, name: str) -> Slot | None:
        return next((slot for slot in self.slots if slot.name == name), None)


class BotLocale(_Closed):
    locale_id: str  # such as `en_US`
    intents: tuple[Intent, ...] = Field(min_length=1)
    slot_types: tuple[SlotType, ...] = ()

    @model_validator(mode="after")
    def _names_resolve(self) -> BotLocale:
        for what, names in (("intent", [i.name for i in self.intents]),
                            ("slot type", [t.name for t in self.slot_types])):
            duplicates = sorted(n for n, c in Counter(names).items() if c > 1)
            if duplicates:
                page = CREATE_INTENT_PAGE if what == "intent" else CREATE_SLOT_TYPE_PAGE
                raise ValueError(f"locale {self.locale_id}: {what} {duplicates[0]} is "
                                 f"defined twice; names are unique in a locale ({page})")
        custom = {slot_type.name for slot_type in self.slot_types}
        for intent in self.intents:
            for slot in intent.slots:
                if slot.slot_type not in custom and slot.slot_type not in BUILT_IN_SLOT_TYPES:
                    raise ValueError(
                        f"intent {intent.name}: slot {slot.name} has type {slot.slot_type}, "
                        "which is neither a built-in slot type nor a custom slot type of "
                        f"locale {self.locale_id} ({BUILT_IN_SLOTS_PAGE})")
        return self

    def intent(self, name: str) -> Intent | None:
        return next((intent for intent in self.intents if intent.name == name), None)

    def slot_type(self, name: str) -> SlotType | None:
        return next((t for t in self.slot_types if t.name == name), None)


class BotAlias(_Closed):
    """The alias clients talk to; per locale, the one Lambda function its code hooks
    invoke (lambda-attach-api.html)."""

    alias_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-zA-Z]{10}$")]
    name: Name
    bot_version: str
    lambda_by_locale: dict[str, Annotated[str, StringConstraints(pattern=_LAMBDA_ARN)]]


class Bot(_Closed):
    bot_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-zA-Z]{10}$")]
    name: Name
    region: str
    account: Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
    locales: tuple[BotLocale, ...] = Field(min_length=1)
    aliases: tuple[BotAlias, ...] = ()

    @model_validator(mode="after")
    def _aliases_name_known_locales(self) -> Bot:
        known = {locale.locale_id for locale in self.locales}
        for alias in self.aliases:
            for locale_id, function in alias.lambda_by_locale.items():
                if locale_id not in known:
                    raise ValueError(f"alias {alias.name}: attaches {function} for locale "
                                     f"{locale_id}, which the bot does not have "
                                     f"({LAMBDA_ATTACH_PAGE})")
        return self

    def locale(self, locale_id: str) -> BotLocale:
        found = next((loc for loc in self.locales if loc.locale_id == locale_id), None)
        if found is None:
            raise KeyError(f"bot {self.name} has no locale {locale_id}")
        return found

    def alias(self, name: str) -> BotAlias:
        found = next((alias for alias in self.aliases if alias.name == name), None)
        if found is None:
            raise KeyError(f"bot {self.name} has no alias {name}")
        return found

    def alias_arn(self, alias: BotAlias) -> str:
        """`arn:aws:lex:REGION:ACCOUNT:bot-alias/BOT-ID/ALIAS-ID` (the Service
        Authorization Reference's bot alias resource type)."""
        return (f"arn:aws:lex:{self.region}:{self.account}:bot-alias/{self.bot_id}/"
                f"{alias.alias_id}")


def slot_references(text: str) -> list[str]:
    """The slot names a sample utterance or a message names in curly braces."""
    return _SLOT_REFERENCE.findall(text)


def overlapping_utterances(locale: BotLocale) -> dict[str, tuple[str, ...]]:
    """Sample utterances (compared case-insensitively) that more than one intent lists."""
    owners: dict[str, list[str]] = {}
    for intent in locale.intents:
        for utterance in {u.strip().lower() for u in intent.utterances}:
            owners.setdefault(utterance, []).append(intent.name)
    return {u: tuple(names) for u, names in sorted(owners.items()) if len(names) > 1}
