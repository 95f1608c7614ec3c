"""One conversation with a bot locale, turn by turn, as Lex V2 runs it: recognize the
intent from the user's first utterance, fill the slots the utterance carried, elicit the
missing required slots in priority order with their prompts (asking again up to each
prompt's retries), ask the intent's confirmation, then fulfill: through the alias's
Lambda function when the intent's fulfillment code hook is on, else with the closing
message (how-it-works.html; sample-utterances.html; API_PromptSpecification.html).

Intent recognition here is a local stand-in for Lex's machine-learning model: a sample
utterance matches when the user's words equal it with each `{Slot}` standing for some
words; of several matches the one with the most literal words wins. When nothing matches
the conversation goes to AMAZON.FallbackIntent, which every Lex V2 bot has
(built-in-intent-fallback.html). Slot values resolve against their slot type: a custom
type with TOP_RESOLUTION accepts only its values and synonyms and returns the value; with
ORIGINAL_VALUE Lex also infers values beyond the list and returns what the user said
(quotas.html, "General guidelines"); a few built-in types resolve by their documented
formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from scenarios.lex_model import BotLocale, Intent, Slot

FALLBACK_INTENT = "FallbackIntent"  # the name Lex V2 gives AMAZON.FallbackIntent
_WORDS = re.compile(r"[^\w@.'{}-]+")
_YES = frozenset({"yes", "yeah", "yep", "sure", "ok", "okay", "please do", "y"})
_NO = frozenset({"no", "nope", "no thanks", "don't", "n"})
_NUMBER_WORDS = {word: index for index, word in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"])}


def tidy(text: str) -> str:
    """Punctuation dropped and single spaces, the case kept: slot values keep the case the
    user typed ("the case of the slot values matches the text entered", quotas.html)."""
    return " ".join(_WORDS.sub(" ", text).split()).strip(" .")


def normalize(text: str) -> str:
    """Tidied and lower case: how two utterances compare."""
    return tidy(text).lower()


@dataclass(frozen=True)
class _Template:
    intent: str
    pattern: re.Pattern[str]
    slots: tuple[str, ...]
    literal_words: int


@lru_cache(maxsize=1024)
def _compile(intent: Intent, utterance: str) -> _Template:
    regex: list[str] = []
    slots: list[str] = []
    literal = 0
    for part in re.split(r"(\{[^{}]*\})", utterance):
        if part.startswith("{") and part.endswith("}"):
            regex.append(f"(?P<s{len(slots)}>.+?)")
            slots.append(part[1:-1])
        elif words := normalize(part):
            regex.append(re.escape(words))
            literal += len(words.split())
    return _Template(intent.name, re.compile(" ".join(regex), re.IGNORECASE), tuple(slots),
                     literal)


@dataclass(frozen=True)
class Recognition:
    intent: str
    slots: Mapping[str, str]  # slot name -> the words the user said for it
    utterance: str | None  # the sample utterance that matched; None for the fallback


def recognize(locale: BotLocale, text: str) -> Recognition:
    said = tidy(text)
    best: tuple[int, Recognition] | None = None
    for intent in locale.intents:
        for utterance in intent.utterances:
            template = _compile(intent, utterance)
            found = template.pattern.fullmatch(said)
            if found is None:
                continue
            slots = {name: found.group(f"s{i}") for i, name in enumerate(template.slots)}
            if best is None or template.literal_words > best[0]:
                best = (template.literal_words, Recognition(intent.name, slots, utterance))
    return best[1] if best else Recognition(FALLBACK_INTENT, {}, None)


def resolve(locale: BotLocale, slot: Slot, said: str) -> str | None:
    """The slot's value for what the user said, or None when the type does not accept it."""
    text = said.strip()
    custom = locale.slot_type(slot.slot_type)
    if custom is None:
        return _built_in(slot.slot_type, text)
    if custom.resolution == "ORIGINAL_VALUE":
        # Expand values: Lex infers values beyond the list and returns what was said.
        return text or None
    for entry in custom.values:  # restricted to the values and their synonyms
        if normalize(text) in {normalize(w) for w in (entry.value, *entry.synonyms)}:
            return entry.value
    return None


def _built_in(slot_type: str, text: str) -> str | None:
    """Built-in slot types by their documented shapes (built-in-slots.html); types with
    no shape here take the words as said."""
    if not text:
        return None
    if slot_type == "AMAZON.AlphaNumeric":
        return text if re.fullmatch(r"[A-Za-z0-9]+", text) else None
    if slot_type == "AMAZON.Number":
        if re.fullmatch(r"-?\d+", text):
            return text
        return str(_NUMBER_WORDS[text.lower()]) if text.lower() in _NUMBER_WORDS else None
    if slot_type == "AMAZON.Confirmation":
        return "Yes" if normalize(text) in _YES else "No" if normalize(text) in _NO else None
    if slot_type == "AMAZON.EmailAddress":
        return text if re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]+", text) else None
    return text


class Step(Enum):
    ELICIT_SLOT = "ElicitSlot"
    CONFIRM_INTENT = "ConfirmIntent"
    FULFILLED = "Fulfilled"
    DECLINED = "Declined"  # the user said no to the confirmation
    FAILED = "Failed"  # a prompt ran out of retries, or the fallback intent


@dataclass(frozen=True)
class Reply:
    step: Step
    message: str
    slot: str | None = None  # the slot being elicited


# The fulfillment code hook: (intent, resolved slot values) -> the message for the user.
Fulfill = Callable[[Intent, Mapping[str, str]], str]


@dataclass
class Conversation:
    """One session: `start` with the first utterance, then `answer` each reply."""

    locale: BotLocale
    fulfill: Fulfill
    intent: Intent | None = None
    slots: dict[str, str] = field(default_factory=dict)
    _retries: dict[str, int] = field(default_factory=dict, init=False)
    _awaiting: Reply | None = field(default=None, init=False)

    def start(self, text: str) -> Reply:
        found = recognize(self.locale, text)
        self.intent = self.locale.intent(found.intent)
        if self.intent is None:
            return self._say(Reply(Step.FAILED, "Sorry, I didn't understand that."))
        for name, said in found.slots.items():
            slot = self.intent.slot(name)
            value = resolve(self.locale, slot, said) if slot else None
            if value is not None:
                self.slots[name] = value
        return self._next()

    def answer(self, text: str) -> Reply:
        awaiting, intent = self._awaiting, self.intent
        if awaiting is None or intent is None:
            raise ValueError("the conversation is not waiting for an answer")
        if awaiting.step is Step.ELICIT_SLOT and awaiting.slot is not None:
            slot = intent.slot(awaiting.slot)
            assert slot is not None
            value = resolve(self.locale, slot, text)
            if value is None:
                return self._retry(slot)
            self.slots[slot.name] = value
            return self._next()
        if awaiting.step is Step.CONFIRM_INTENT:
            said = normalize(text)
            if said in _YES:
                return self._fulfill(intent)
            if said in _NO:
                assert intent.confirmation is not None
                return self._say(Reply(Step.DECLINED, intent.confirmation.declination))
            return self._say(awaiting)  # neither yes nor no: ask again
        raise ValueError(f"the conversation has ended ({awaiting.step.value})")

    def _next(self) -> Reply:
        intent = self.intent
        assert intent is not None
        for slot in intent.slots:  # priority order
            if slot.required and slot.name not in self.slots:
                return self._say(Reply(Step.ELICIT_SLOT, self.render(slot.prompt.message),
                                       slot.name))
        if intent.confirmation is not None:
            return self._say(Reply(Step.CONFIRM_INTENT,
                                   self.render(intent.confirmation.prompt.message)))
        return self._fulfill(intent)

    def _retry(self, slot: Slot) -> Reply:
        used = self._retries.get(slot.name, 0)
        if used >= slot.prompt.max_retries:
            return self._say(Reply(Step.FAILED, f"Sorry, I could not get the {slot.name}."))
        self._retries[slot.name] = used + 1
        return self._say(Reply(Step.ELICIT_SLOT, self.render(slot.prompt.message), slot.name))

    def _fulfill(self, intent: Intent) -> Reply:
        if intent.fulfillment_code_hook:
            return self._say(Reply(Step.FULFILLED, self.fulfill(intent, dict(self.slots))))
        return self._say(Reply(Step.FULFILLED, self.render(intent.closing or "Done.")))

    def _say(self, reply: Reply) -> Reply:
        self._awaiting = reply
        return reply

    def render(self, message: str) -> str:
        """`{Slot}` in a message replaced by the slot's value."""
        return re.sub(r"\{([^{}]*)\}", lambda m: self.slots.get(m.group(1), m.group(0)),
                      message)
