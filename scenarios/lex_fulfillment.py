"""The fulfillment Lambda function of lex-comprehend-chatbot, run locally: Lex invokes it
only when the engine allows `lexv2.amazonaws.com` lambda:InvokeFunction from the bot
alias, and each Comprehend and CloudWatch Logs call the function makes is first
authorized by the engine for the function's execution role.

Amazon Comprehend is not called: `LocalComprehend` stands in for DetectDominantLanguage
and DetectSentiment with a small word list, so the walk-through runs offline. What it
keeps from the API is its contract: DetectSentiment answers POSITIVE, NEGATIVE, NEUTRAL or
MIXED with a score for each, takes at most 5 KB of UTF-8 text, and only the documented
language codes (API_DetectSentiment.html); DetectDominantLanguage answers language codes
with scores (API_DetectDominantLanguage.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from policy_engine.analysis.resolve import Resolver
from policy_engine.scenario.checks import resolver_for
from policy_engine.whatif import parse_question
from scenarios.lex_model import Intent

_COMPREHEND_API = "https://docs.aws.amazon.com/comprehend/latest/APIReference/"
DETECT_SENTIMENT_PAGE = _COMPREHEND_API + "API_DetectSentiment.html"
DETECT_LANGUAGE_PAGE = _COMPREHEND_API + "API_DetectDominantLanguage.html"
MAX_SENTIMENT_BYTES: Final = 5000  # "The maximum string size is 5 KB" (UTF-8 bytes)
MIN_LANGUAGE_CHARACTERS: Final = 20  # "The string must contain at least 20 characters"
MAX_LANGUAGE_BYTES: Final = 100_000  # "The maximum string size is 100 KB"
SENTIMENT_LANGUAGES: Final = frozenset(
    {"en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW"})

# The stand-in's word lists (ours; Comprehend uses a trained model).
_POSITIVE: Final = frozenset({
    "great", "good", "love", "excellent", "happy", "fast", "helpful", "perfect", "thanks",
    "amazing", "works"})
_NEGATIVE: Final = frozenset({
    "broken", "bad", "terrible", "slow", "late", "never", "stopped", "refund", "worst",
    "angry", "disappointed"})
_STOPWORDS: Final = {
    "en": frozenset({"the", "and", "is", "it", "my", "was", "after", "they", "not", "with",
                     "of", "to"}),
    "es": frozenset({"el", "la", "y", "es", "mi", "fue", "no", "con", "de", "que", "los"}),
    "fr": frozenset({"le", "la", "et", "est", "mon", "mes", "pas", "avec", "de", "que",
                     "les"}),
    "de": frozenset({"der", "die", "und", "ist", "mein", "nicht", "mit", "von", "zu", "das"}),
}


class AccessDenied(Exception):
    """The engine refused the call; the message names the decision and its reason."""


class ScenarioLike(Protocol):
    name: str

    def snapshot(self) -> dict[str, Any]: ...


class Authorizer:
    """Asks the engine, over the scenario's snapshot, before any call is made."""

    def __init__(self, scenario: ScenarioLike) -> None:
        self._resolver: Resolver = resolver_for(scenario)  # type: ignore[arg-type]

    def require(self, principal: str, action: str, resource: str,
                context: Mapping[str, str] | None = None) -> str:
        """The engine's reason for allowing the call; AccessDenied when it does not."""
        pairs = " and ".join(f"{k} = {v}" for k, v in (context or {}).items())
        when = f" when {pairs}" if pairs else ""
        result = self._resolver.ask(parse_question(
            f"can {principal} do {action} on {resource}{when}"))
        if not result.allowed:
            raise AccessDenied(f"{action} by {principal}: {result.decision.value} "
                               f"({result.verdict.reason})")
        return result.verdict.reason


@dataclass(frozen=True)
class Sentiment:
    sentiment: str  # POSITIVE | NEGATIVE | NEUTRAL | MIXED
    scores: Mapping[str, float]


def _words(text: str) -> list[str]:
    return [w.strip(".,!?;:'\"").lower() for w in text.split()]


def dominant_language(text: str) -> tuple[str, float]:
    """The stand-in's DetectDominantLanguage: the language whose common words the text
    uses most, with the share of those words as the score. The API takes 20 characters to
    100 KB of UTF-8 text (API_DetectDominantLanguage.html)."""
    if len(text) < MIN_LANGUAGE_CHARACTERS:
        raise ValueError(f"InvalidRequestException: DetectDominantLanguage needs at least "
                         f"{MIN_LANGUAGE_CHARACTERS} characters ({DETECT_LANGUAGE_PAGE})")
    if len(text.encode("utf-8")) > MAX_LANGUAGE_BYTES:
        raise ValueError(f"TextSizeLimitExceededException: DetectDominantLanguage takes at "
                         f"most {MAX_LANGUAGE_BYTES} bytes ({DETECT_LANGUAGE_PAGE})")
    words = _words(text)
    counts = {code: sum(w in stop for w in words) for code, stop in _STOPWORDS.items()}
    code = max(counts, key=lambda c: counts[c])
    total = sum(counts.values())
    return code, round(counts[code] / total, 2) if total else 0.0


def sentiment_of(text: str, language_code: str) -> Sentiment:
    """The stand-in's DetectSentiment, refusing what the API refuses."""
    if len(text.encode("utf-8")) > MAX_SENTIMENT_BYTES:
        raise ValueError(f"TextSizeLimitExceededException: DetectSentiment takes at most "
                         f"{MAX_SENTIMENT_BYTES} bytes of UTF-8 text ({DETECT_SENTIMENT_PAGE})")
    if language_code not in SENTIMENT_LANGUAGES:
        raise ValueError(f"UnsupportedLanguageException: DetectSentiment does not take "
                         f"language {language_code} ({DETECT_SENTIMENT_PAGE})")
    words = _words(text)
    good, bad = sum(w in _POSITIVE for w in words), sum(w in _NEGATIVE for w in words)
    if good and bad and min(good, bad) * 2 >= max(good, bad):
        label = "MIXED"
    elif good > bad:
        label = "POSITIVE"
    elif bad > good:
        label = "NEGATIVE"
    else:
        label = "NEUTRAL"
    found = good + bad
    neutral = 1.0 if not found else round(1 - found / max(len(words), 1), 2)
    rest = 1.0 - neutral
    scores = {"Positive": round(rest * good / found, 2) if found else 0.0,
              "Negative": round(rest * bad / found, 2) if found else 0.0,
              "Neutral": neutral, "Mixed": 1.0 if label == "MIXED" else 0.0}
    return Sentiment(label, scores)


@dataclass
class FulfillmentFunction:
    """The Lambda function attached to the bot alias: it reads the feedback's sentiment
    and language with Comprehend and logs what it did to CloudWatch Logs."""

    authorizer: Authorizer
    function_arn: str
    execution_role: str  # `role/NAME`, the identity the function's calls carry
    log_stream_arn: str
    locale_language: str = "en"  # the bot locale's language (en_US)
    log_events: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # each call the engine allowed, and why

    def invoke_from_lex(self, source_arn: str, source_account: str, intent: Intent,
                        slots: Mapping[str, str]) -> tuple[str, str]:
        """Lex V2 calls the function: the engine decides the invocation first. Returns
        the engine's reason and the message for the user."""
        reason = self.authorizer.require(
            "lexv2.amazonaws.com", "lambda:InvokeFunction", self.function_arn,
            {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account})
        return reason, self.handle(intent, slots)

    def handle(self, intent: Intent, slots: Mapping[str, str]) -> str:
        text = slots.get("Comment", "")
        language = self.locale_language
        if len(text) >= MIN_LANGUAGE_CHARACTERS:  # shorter texts: the bot locale's language
            self._comprehend("comprehend:DetectDominantLanguage")
            language, _ = dominant_language(text)
        self._comprehend("comprehend:DetectSentiment")
        found = sentiment_of(text, language)
        self._log(f"{intent.name}: language={language} sentiment={found.sentiment}")
        product = slots.get("Product", "order")
        if found.sentiment == "NEGATIVE":
            return (f"I'm sorry the {product} let you down. A person from our team will "
                    "contact you today.")
        return f"Thank you for your feedback about the {product}!"

    def _comprehend(self, action: str) -> None:
        # Comprehend's detection actions take no resource ARN: `Resource: "*"`.
        reason = self.authorizer.require(self.execution_role, action, "*")
        self.calls.append(f"{action} ({reason})")

    def _log(self, event: str) -> None:
        reason = self.authorizer.require(self.execution_role, "logs:PutLogEvents",
                                         self.log_stream_arn)
        self.calls.append(f"logs:PutLogEvents ({reason})")
        self.log_events.append(event)
