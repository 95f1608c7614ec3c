"""S3 Lifecycle configurations: the rules as `aws s3api get-bucket-lifecycle-configuration`
prints them (a pydantic model), the documented constraints on them, and what a rule
does to one object version on a given day.

Sources (Amazon S3 User Guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/):
- lifecycle-transition-general-considerations.html: the supported transitions (the
  "waterfall": S3 Standard to any class; Standard-IA to Intelligent-Tiering, One Zone-IA
  and the Glacier classes; Intelligent-Tiering to One Zone-IA and the Glacier classes;
  One Zone-IA, Glacier Instant Retrieval and Glacier Flexible Retrieval only further
  down; nothing back to S3 Standard); objects must stay 30 days in S3 Standard before a
  transition to Standard-IA or One Zone-IA (30 days noncurrent for noncurrent versions);
  Standard-IA and One Zone-IA have a minimum 30-day storage charge, so one rule cannot
  move an object on to a Glacier class, or from Standard-IA to One Zone-IA, less than 30
  days after it entered one of them; objects smaller than 128 KB are not transitioned.
- intro-lifecycle-rules.html: up to 1,000 rules, IDs of at most 255 characters; a
  transition or expiration happens at creation time plus the days, rounded up to the
  next midnight UTC; noncurrent days count from when the successor version was created;
  in a versioned bucket Expiration adds a delete marker and NoncurrentVersionExpiration
  deletes for good; NewerNoncurrentVersions needs a Filter (InvalidRequest otherwise).
- lifecycle-conflicts.html: permanent deletion wins over transition, and between
  transitions the cheaper storage class wins (S3 Glacier Flexible Retrieval over
  Standard-IA).
- https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html: the storage
  classes a rule may name (never STANDARD); Days 0 or more for the Glacier classes and
  Intelligent-Tiering, 30 or more for Standard-IA and One Zone-IA (the API page says
  "greater than 30", the user guide and its examples use 30 itself: 30 is accepted).
- API_PutBucketLifecycleConfiguration.html: S3 answers InvalidArgument when an
  expiration is not after the rule's transitions ("'Days' in the Expiration action ...
  must be greater than 'Days' in the Transition action"); TransitionDefaultMinimumObjectSize
  defaults to `all_storage_classes_128K` since September 2024 (no class takes objects
  under 128 KB), `varies_by_storage_class` lets them go to Glacier Flexible Retrieval
  and Deep Archive, and an object-size filter on the rule overrides either default.
- storage-class-intro.html: minimum storage durations (30 days Standard-IA and One
  Zone-IA, 90 Glacier Instant and Flexible Retrieval, 180 Deep Archive).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class StorageClass(StrEnum):
    STANDARD = "STANDARD"
    INTELLIGENT_TIERING = "INTELLIGENT_TIERING"
    STANDARD_IA = "STANDARD_IA"
    ONEZONE_IA = "ONEZONE_IA"
    GLACIER_IR = "GLACIER_IR"
    GLACIER = "GLACIER"  # S3 Glacier Flexible Retrieval
    DEEP_ARCHIVE = "DEEP_ARCHIVE"


SC = StorageClass
# Where each class may go by lifecycle (lifecycle-transition-general-considerations.html).
SUPPORTED: Final[dict[StorageClass, frozenset[StorageClass]]] = {
    SC.STANDARD: frozenset(SC) - {SC.STANDARD},
    SC.STANDARD_IA: frozenset({SC.INTELLIGENT_TIERING, SC.ONEZONE_IA, SC.GLACIER_IR,
                               SC.GLACIER, SC.DEEP_ARCHIVE}),
    SC.INTELLIGENT_TIERING: frozenset({SC.ONEZONE_IA, SC.GLACIER_IR, SC.GLACIER,
                                       SC.DEEP_ARCHIVE}),
    SC.ONEZONE_IA: frozenset({SC.GLACIER, SC.DEEP_ARCHIVE}),
    SC.GLACIER_IR: frozenset({SC.GLACIER, SC.DEEP_ARCHIVE}),
    SC.GLACIER: frozenset({SC.DEEP_ARCHIVE}),
    SC.DEEP_ARCHIVE: frozenset(),
}
# Down the waterfall: a later class is cheaper to store (lifecycle-conflicts.html).
WATERFALL: Final = (SC.STANDARD, SC.STANDARD_IA, SC.INTELLIGENT_TIERING, SC.ONEZONE_IA,
                    SC.GLACIER_IR, SC.GLACIER, SC.DEEP_ARCHIVE)
INFREQUENT: Final = frozenset({SC.STANDARD_IA, SC.ONEZONE_IA})
# Classes one rule may not enter less than 30 days after Standard-IA or One Zone-IA.
AFTER_INFREQUENT: Final = frozenset({SC.ONEZONE_IA, SC.GLACIER_IR, SC.GLACIER,
                                     SC.DEEP_ARCHIVE})
MINIMUM_STORAGE_DAYS: Final = {SC.STANDARD_IA: 30, SC.ONEZONE_IA: 30, SC.GLACIER_IR: 90,
                               SC.GLACIER: 90, SC.DEEP_ARCHIVE: 180}
MIN_DAYS_BEFORE_INFREQUENT: Final = 30
SMALL_OBJECT: Final = 128 * 1024  # bytes
MAX_RULES: Final = 1000


class LifecycleError(ValueError):
    """A lifecycle configuration S3 would refuse; the message is one line with its place."""


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Days = Annotated[int, Field(ge=0, strict=True)]
TargetClass = Annotated[StorageClass, Field(description="not STANDARD: nothing goes back")]


class Transition(_Closed):
    days: Days = Field(alias="Days")
    storage_class: TargetClass = Field(alias="StorageClass")


class NoncurrentVersionTransition(_Closed):
    noncurrent_days: Days = Field(alias="NoncurrentDays")
    storage_class: TargetClass = Field(alias="StorageClass")


class Expiration(_Closed):
    days: Annotated[int, Field(ge=1, strict=True)] = Field(alias="Days")


class NoncurrentVersionExpiration(_Closed):
    noncurrent_days: Annotated[int, Field(ge=1, strict=True)] = Field(alias="NoncurrentDays")
    newer_noncurrent_versions: Annotated[int, Field(ge=1, le=100, strict=True)] | None = \
        Field(None, alias="NewerNoncurrentVersions")


class FilterTerms(_Closed):
    prefix: str | None = Field(None, alias="Prefix")
    size_greater_than: Annotated[int, Field(ge=0)] | None = Field(
        None, alias="ObjectSizeGreaterThan")
    size_less_than: Annotated[int, Field(ge=1)] | None = Field(None, alias="ObjectSizeLessThan")

    def given(self) -> int:
        return sum(v is not None for v in (self.prefix, self.size_greater_than,
                                           self.size_less_than))


class Filter(FilterTerms):
    """`{}` (every object), one term, or several terms inside `And`."""

    and_: FilterTerms | None = Field(None, alias="And")

    @model_validator(mode="after")
    def _one_term_or_and(self) -> Filter:
        if self.and_ is not None and self.given():
            raise ValueError("a Filter holds either one term or `And`, not both")
        if self.given() > 1:
            raise ValueError("a Filter with more than one term must wrap them in `And`")
        terms = self.terms
        if terms.size_greater_than is not None and terms.size_less_than is not None and \
                terms.size_greater_than >= terms.size_less_than:
            raise ValueError("`ObjectSizeGreaterThan` must be less than `ObjectSizeLessThan`")
        return self

    @property
    def terms(self) -> FilterTerms:
        return self.and_ if self.and_ is not None else self

    @property
    def sets_size(self) -> bool:
        """A size term on the rule overrides the default 128 KB minimum."""
        return self.terms.size_greater_than is not None or \
            self.terms.size_less_than is not None

    def matches(self, key: str, size: int) -> bool:
        terms = self.terms
        return (terms.prefix is None or key.startswith(terms.prefix)) and \
            (terms.size_greater_than is None or size > terms.size_greater_than) and \
            (terms.size_less_than is None or size < terms.size_less_than)


class Rule(_Closed):
    id: Annotated[str, Field(min_length=1, max_length=255)] = Field(alias="ID")
    status: Literal["Enabled", "Disabled"] = Field(alias="Status")
    filter: Filter | None = Field(None, alias="Filter")
    transitions: tuple[Transition, ...] = Field((), alias="Transitions")
    expiration: Expiration | None = Field(None, alias="Expiration")
    noncurrent_transitions: tuple[NoncurrentVersionTransition, ...] = Field(
        (), alias="NoncurrentVersionTransitions")
    noncurrent_expiration: NoncurrentVersionExpiration | None = Field(
        None, alias="NoncurrentVersionExpiration")

    @model_validator(mode="after")
    def _documented_constraints(self) -> Rule:
        if not (self.transitions or self.expiration or self.noncurrent_transitions or
                self.noncurrent_expiration):
            raise ValueError("a rule needs at least one action (Transitions, Expiration, "
                             "NoncurrentVersionTransitions or NoncurrentVersionExpiration)")
        steps = [(t.days, t.storage_class) for t in self.transitions]
        _check_steps(steps, "Transitions", "Days", "in S3 Standard")
        _check_expiry(steps, self.expiration.days if self.expiration else None,
                      "Expiration", "Days")
        noncurrent = [(t.noncurrent_days, t.storage_class) for t in self.noncurrent_transitions]
        _check_steps(noncurrent, "NoncurrentVersionTransitions", "NoncurrentDays",
                     "noncurrent")
        expiry = self.noncurrent_expiration
        _check_expiry(noncurrent, expiry.noncurrent_days if expiry else None,
                      "NoncurrentVersionExpiration", "NoncurrentDays")
        if expiry is not None and expiry.newer_noncurrent_versions is not None and \
                self.filter is None:
            raise ValueError("`NewerNoncurrentVersions` needs a `Filter` element (S3 "
                             "answers InvalidRequest without one)")
        return self

    @property
    def enabled(self) -> bool:
        return self.status == "Enabled"

    def applies_to(self, key: str, size: int) -> bool:
        return self.enabled and (self.filter is None or self.filter.matches(key, size))


def _check_steps(steps: list[tuple[int, StorageClass]], element: str, days_name: str,
                 first_stay: str) -> None:
    """Each transition documented as allowed, in waterfall order, with the minimum days."""
    previous: tuple[int, StorageClass] = (0, SC.STANDARD)
    seen: set[StorageClass] = set()
    for index, (days, target) in enumerate(sorted(steps, key=lambda s: s[0])):
        where = f"{element}: the transition to `{target}` on day {days}"
        if target is SC.STANDARD:
            raise ValueError(f"{where}: lifecycle cannot transition objects to STANDARD")
        if target in seen:
            raise ValueError(f"{element}: two transitions to `{target}`")
        seen.add(target)
        if target in INFREQUENT and days < MIN_DAYS_BEFORE_INFREQUENT:
            raise ValueError(f"{where}: objects must stay at least 30 days {first_stay} "
                             f"before moving to `{target}` ({days_name} >= 30)")
        before_days, before = previous
        if index and days == before_days:
            raise ValueError(f"{where}: `{before}` is due the same day")
        if target not in SUPPORTED[before]:
            raise ValueError(f"{where}: S3 cannot transition `{before}` (day {before_days}) "
                             f"to `{target}`; transitions only go down the waterfall")
        if before in INFREQUENT and target in AFTER_INFREQUENT and \
                days - before_days < MINIMUM_STORAGE_DAYS[before]:
            raise ValueError(f"{where}: only {days - before_days} days after `{before}` on "
                             f"day {before_days}; {before} has a 30-day minimum storage "
                             "charge, so one rule needs 30 days between them")
        previous = (days, target)


def _check_expiry(steps: list[tuple[int, StorageClass]], expires: int | None, element: str,
                  days_name: str) -> None:
    if expires is None or not steps:
        return
    last = max(days for days, _ in steps)
    if expires <= last:
        raise ValueError(f"{element}: {days_name} {expires} must be greater than the "
                         f"rule's last transition (day {last})")


class MinimumObjectSize(StrEnum):
    ALL_CLASSES_128K = "all_storage_classes_128K"  # the default since September 2024
    VARIES_BY_CLASS = "varies_by_storage_class"


class LifecycleConfiguration(_Closed):
    rules: tuple[Rule, ...] = Field(alias="Rules", min_length=1, max_length=MAX_RULES)
    minimum_object_size: MinimumObjectSize = Field(
        MinimumObjectSize.ALL_CLASSES_128K, alias="TransitionDefaultMinimumObjectSize")

    @model_validator(mode="after")
    def _unique_ids(self) -> LifecycleConfiguration:
        ids = [rule.id for rule in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ID `{repeated[0]}` is used more than once")
        return self


def parse_lifecycle(value: Any, source: str = "lifecycle configuration"
                    ) -> LifecycleConfiguration:
    """The configuration, or a `LifecycleError` naming the source, place and problem."""
    try:
        return LifecycleConfiguration.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        loc = first["loc"]
        place = "/".join(str(part) for part in loc) + _rule_id(value, loc)
        message = first["msg"].removeprefix("Value error, ")
        raise LifecycleError(f"{source}: {place or 'top level'}: {message}") from None


def _rule_id(value: Any, loc: tuple[Any, ...]) -> str:
    """` (rule `ID`)` when the error is inside a rule that names itself."""
    if len(loc) < 2 or loc[0] != "Rules" or not isinstance(loc[1], int):
        return ""
    try:
        rule_id = value["Rules"][loc[1]]["ID"]
    except (KeyError, IndexError, TypeError):
        return ""
    return f" (rule `{rule_id}`)" if isinstance(rule_id, str) else ""


# -- what the rules do to one object version -----------------------------------------

def action_time(start: datetime, days: int) -> datetime:
    """`start` plus `days`, rounded up to the next midnight UTC (intro-lifecycle-rules)."""
    due = start.astimezone(UTC) + timedelta(days=days)
    midnight = datetime.combine(due.date(), time(0), UTC)
    return midnight if due == midnight else midnight + timedelta(days=1)


@dataclass(frozen=True)
class VersionFacts:
    """What lifecycle looks at: the key, size, creation, and for a noncurrent version
    when its successor was created."""

    key: str
    size: int
    created: datetime
    noncurrent_since: datetime | None = None

    @property
    def current(self) -> bool:
        return self.noncurrent_since is None


@dataclass(frozen=True)
class Event:
    at: datetime
    rule: str
    storage_class: StorageClass | None  # None: the version expires
    reason: str


def _may_transition(config: LifecycleConfiguration, rule: Rule, size: int,
                    target: StorageClass) -> bool:
    if size >= SMALL_OBJECT or (rule.filter is not None and rule.filter.sets_size):
        return True
    return config.minimum_object_size is MinimumObjectSize.VARIES_BY_CLASS and \
        target in (SC.GLACIER, SC.DEEP_ARCHIVE)


def events(config: LifecycleConfiguration, facts: VersionFacts) -> list[Event]:
    """Every action the enabled rules schedule for the version, in time order."""
    found: list[Event] = []
    for rule in config.rules:
        if not rule.applies_to(facts.key, facts.size):
            continue
        if facts.noncurrent_since is None:
            start, steps = facts.created, [(t.days, t.storage_class) for t in rule.transitions]
            expiry = rule.expiration.days if rule.expiration else None
        else:
            start = facts.noncurrent_since
            steps = [(t.noncurrent_days, t.storage_class) for t in rule.noncurrent_transitions]
            expiry = rule.noncurrent_expiration.noncurrent_days \
                if rule.noncurrent_expiration else None
        for days, target in steps:
            if _may_transition(config, rule, facts.size, target):
                found.append(Event(action_time(start, days), rule.id, target,
                                   f"{days} days"))
        if expiry is not None:
            found.append(Event(action_time(start, expiry), rule.id, None, f"{expiry} days"))
    return sorted(found, key=lambda e: (e.at, e.storage_class is not None))


@dataclass(frozen=True)
class LifecycleState:
    storage_class: StorageClass
    expired: bool
    by: tuple[Event, ...]  # the events that brought it here


def state_at(config: LifecycleConfiguration, facts: VersionFacts, at: datetime,
             start_class: StorageClass = SC.STANDARD) -> LifecycleState:
    """The version's storage class at `at`, or expired. Expiration wins over any
    transition; between due transitions the one furthest down the waterfall wins, and
    only transitions S3 supports from the class the version is in are taken. A noncurrent
    version starts from the class its current-version transitions had reached."""
    current, applied = start_class, []
    if facts.noncurrent_since is not None:
        as_current = replace(facts, noncurrent_since=None)
        before = state_at(config, as_current, min(at, facts.noncurrent_since), start_class)
        current = before.storage_class
        applied = [e for e in before.by if e.storage_class is not None]
    for event in (e for e in events(config, facts) if e.at <= at):
        if event.storage_class is None:
            return LifecycleState(current, True, (*applied, event))
        if event.storage_class in SUPPORTED[current] and \
                WATERFALL.index(event.storage_class) > WATERFALL.index(current):
            current = event.storage_class
            applied.append(event)
    return LifecycleState(current, False, tuple(applied))


def expires_at(config: LifecycleConfiguration, facts: VersionFacts) -> datetime | None:
    return next((e.at for e in events(config, facts) if e.storage_class is None), None)


def early_deletion_days(config: LifecycleConfiguration, facts: VersionFacts) -> int:
    """Days of minimum storage duration still owed when the version expires (charged
    pro rata by S3): 0 when it stayed long enough in its last class."""
    expiry = expires_at(config, facts)
    if expiry is None:
        return 0
    state = state_at(config, facts, expiry - timedelta(microseconds=1))
    minimum = MINIMUM_STORAGE_DAYS.get(state.storage_class, 0)
    entered = state.by[-1].at if state.by else facts.created
    return max(0, minimum - (expiry - entered).days)
