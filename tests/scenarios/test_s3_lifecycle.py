"""The S3 Lifecycle model of s3-cloudfront-hosting: when actions fall due, which storage
class a version is in, and the documented constraints refused in one line each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scenarios.s3_lifecycle import (
    SC,
    LifecycleError,
    VersionFacts,
    action_time,
    early_deletion_days,
    expires_at,
    parse_lifecycle,
    state_at,
)

CREATED = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
BIG = 1024 * 1024


def _config(*rules: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"Rules": [{"ID": f"rule-{i}", "Status": "Enabled", "Filter": {}, **rule}
                      for i, rule in enumerate(rules)], **top}


def _moves(*steps: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"Days": days, "StorageClass": target} for days, target in steps]


def _at(days: int, hour: int = 12) -> datetime:
    return datetime.combine((CREATED + timedelta(days=days)).date(),
                            datetime.min.time(), UTC) + timedelta(hours=hour)


def test_an_action_falls_due_at_the_next_midnight_utc() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html:
    created 1/15/2014 10:30 UTC with 3 days -> due 1/19/2014 00:00 UTC."""
    assert action_time(datetime(2014, 1, 15, 10, 30, tzinfo=UTC), 3) == \
        datetime(2014, 1, 19, tzinfo=UTC)
    assert action_time(datetime(2014, 1, 15, tzinfo=UTC), 3) == datetime(2014, 1, 18, tzinfo=UTC)


def test_an_object_walks_down_its_transitions_and_then_expires() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html
    (Standard-IA at 30 days, Glacier at 90, expiration at 365)."""
    config = parse_lifecycle(_config({"Transitions": _moves((30, "STANDARD_IA"),
                                                            (90, "GLACIER")),
                                      "Expiration": {"Days": 365}}))
    facts = VersionFacts("logs/a", BIG, CREATED)
    found = [state_at(config, facts, _at(d)) for d in (30, 31, 91, 366)]
    assert [s.storage_class for s in found[:3]] == [SC.STANDARD, SC.STANDARD_IA, SC.GLACIER]
    assert found[3].expired and not found[2].expired
    assert expires_at(config, facts) == datetime(2026, 1, 16, tzinfo=UTC)


def test_objects_under_128_kb_stay_unless_the_default_or_a_size_filter_lets_them() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
    (TransitionDefaultMinimumObjectSize): all_storage_classes_128K by default;
    varies_by_storage_class lets small objects into Glacier Flexible Retrieval and Deep
    Archive only; a size filter on the rule overrides both."""
    small = VersionFacts("a", 4096, CREATED)
    rule = {"Transitions": _moves((30, "STANDARD_IA"), (60, "GLACIER"))}
    default = parse_lifecycle(_config(rule))
    assert state_at(default, small, _at(100)).storage_class is SC.STANDARD
    varies = parse_lifecycle(_config(rule, TransitionDefaultMinimumObjectSize=(
        "varies_by_storage_class")))
    assert state_at(varies, small, _at(40)).storage_class is SC.STANDARD
    assert state_at(varies, small, _at(100)).storage_class is SC.GLACIER
    filtered = parse_lifecycle(_config({**rule, "Filter": {"ObjectSizeGreaterThan": 1024}}))
    assert state_at(filtered, small, _at(40)).storage_class is SC.STANDARD_IA


def test_expiration_wins_and_the_cheaper_class_wins_between_rules() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-conflicts.html:
    permanent deletion over transition; Glacier Flexible Retrieval over Standard-IA."""
    config = parse_lifecycle(_config({"Transitions": _moves((30, "STANDARD_IA"))},
                                     {"Transitions": _moves((30, "GLACIER"))},
                                     {"Expiration": {"Days": 60}}))
    facts = VersionFacts("a", BIG, CREATED)
    assert state_at(config, facts, _at(45)).storage_class is SC.GLACIER
    assert state_at(config, facts, _at(61)).expired


def test_disabled_rules_and_other_prefixes_do_nothing() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
    (Status Disabled: no actions; a prefix filter limits the rule to its keys)."""
    config = parse_lifecycle({"Rules": [
        {"ID": "off", "Status": "Disabled", "Filter": {}, "Expiration": {"Days": 1}},
        {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Expiration": {"Days": 1}}]})
    assert not state_at(config, VersionFacts("site/a", BIG, CREATED), _at(10)).expired
    assert state_at(config, VersionFacts("logs/a", BIG, CREATED), _at(10)).expired


def test_noncurrent_days_count_from_the_successor() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
    ("How Amazon S3 calculates how long an object has been noncurrent")."""
    config = parse_lifecycle(_config({
        "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 90}}))
    replaced = CREATED + timedelta(days=100)
    facts = VersionFacts("a", BIG, CREATED, replaced)
    assert state_at(config, facts, _at(120)).storage_class is SC.STANDARD
    assert state_at(config, facts, _at(131)).storage_class is SC.STANDARD_IA
    assert expires_at(config, facts) == action_time(replaced, 90)
    current = VersionFacts("a", BIG, CREATED)
    assert expires_at(config, current) is None  # noncurrent rules leave it alone


def test_early_deletion_counts_the_days_short_of_the_minimum_duration() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
    (90 days minimum for Glacier Flexible Retrieval, a prorated early deletion fee)."""
    config = parse_lifecycle(_config({"Transitions": _moves((0, "GLACIER")),
                                      "Expiration": {"Days": 30}}))
    assert early_deletion_days(config, VersionFacts("a", BIG, CREATED)) == 60
    kept = parse_lifecycle(_config({"Transitions": _moves((0, "GLACIER")),
                                    "Expiration": {"Days": 200}}))
    assert early_deletion_days(kept, VersionFacts("a", BIG, CREATED)) == 0


REFUSED = [
    ({"Transitions": _moves((29, "STANDARD_IA"))},
     "Transitions: the transition to `STANDARD_IA` on day 29: objects must stay at least 30 "
     "days in S3 Standard before moving to `STANDARD_IA` (Days >= 30)"),
    ({"Transitions": _moves((5, "ONEZONE_IA"))}, "before moving to `ONEZONE_IA`"),
    ({"NoncurrentVersionTransitions": [{"NoncurrentDays": 1, "StorageClass": "STANDARD_IA"}]},
     "at least 30 days noncurrent before moving to `STANDARD_IA` (NoncurrentDays >= 30)"),
    ({"Transitions": _moves((30, "STANDARD_IA"), (59, "DEEP_ARCHIVE"))},
     "only 29 days after `STANDARD_IA` on day 30; STANDARD_IA has a 30-day minimum"),
    ({"Transitions": _moves((30, "ONEZONE_IA"), (40, "GLACIER"))},
     "only 10 days after `ONEZONE_IA` on day 30"),
    ({"Transitions": _moves((30, "STANDARD_IA"), (45, "ONEZONE_IA"))},
     "only 15 days after `STANDARD_IA` on day 30"),
    ({"Transitions": _moves((30, "GLACIER"), (60, "STANDARD_IA"))},
     "S3 cannot transition `GLACIER` (day 30) to `STANDARD_IA`"),
    ({"Transitions": _moves((30, "INTELLIGENT_TIERING"), (60, "STANDARD_IA"))},
     "S3 cannot transition `INTELLIGENT_TIERING` (day 30) to `STANDARD_IA`"),
    ({"Transitions": _moves((30, "GLACIER"), (30, "DEEP_ARCHIVE"))},
     "`GLACIER` is due the same day"),
    ({"Transitions": _moves((30, "STANDARD"))}, "lifecycle cannot transition objects to "
                                                "STANDARD"),
    ({"Transitions": _moves((30, "GLACIER"), (90, "GLACIER"))}, "two transitions to "
                                                                "`GLACIER`"),
    ({"Transitions": _moves((90, "GLACIER")), "Expiration": {"Days": 90}},
     "Expiration: Days 90 must be greater than the rule's last transition (day 90)"),
    ({"NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "GLACIER"}],
      "NoncurrentVersionExpiration": {"NoncurrentDays": 10}},
     "NoncurrentVersionExpiration: NoncurrentDays 10 must be greater"),
    ({"Filter": None, "NoncurrentVersionExpiration": {"NoncurrentDays": 10,
                                                      "NewerNoncurrentVersions": 3}},
     "`NewerNoncurrentVersions` needs a `Filter` element"),
    ({}, "a rule needs at least one action"),
    ({"Filter": {"Prefix": "a/", "ObjectSizeGreaterThan": 1}, "Expiration": {"Days": 1}},
     "must wrap them in `And`"),
    ({"Filter": {"And": {"ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 5}},
      "Expiration": {"Days": 1}}, "`ObjectSizeGreaterThan` must be less than"),
    ({"Expiration": {"Days": 0}}, "Rules/0/Expiration/Days"),
]


@pytest.mark.parametrize(("rule", "message"), REFUSED, ids=[m[:40] for _, m in REFUSED])
def test_each_documented_constraint_is_one_clear_line(rule: dict[str, Any],
                                                      message: str) -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
    (supported transitions, 30 days before Standard-IA / One Zone-IA, the 30-day minimum
    between them and a later class); intro-lifecycle-rules.html (NewerNoncurrentVersions
    needs a Filter); expirations after transitions (S3's InvalidArgument)."""
    with pytest.raises(LifecycleError) as raised:
        parse_lifecycle(_config(rule), "bucket.json")
    text = str(raised.value)
    assert "\n" not in text and text.startswith("bucket.json: Rules/0")
    assert "(rule `rule-0`)" in text and message in text


def test_configuration_wide_rules() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html:
    IDs are unique, at most 1,000 rules, an unknown element is refused."""
    twice = {"Rules": [{"ID": "a", "Status": "Enabled", "Expiration": {"Days": 1}}] * 2}
    with pytest.raises(LifecycleError, match="rule ID `a` is used more than once"):
        parse_lifecycle(twice)
    many = {"Rules": [{"ID": str(i), "Status": "Enabled", "Expiration": {"Days": 1}}
                      for i in range(1001)]}
    with pytest.raises(LifecycleError, match="at most 1000"):
        parse_lifecycle(many)
    with pytest.raises(LifecycleError, match="Rules/0/Date"):
        parse_lifecycle({"Rules": [{"ID": "a", "Status": "Enabled", "Date": "x",
                                    "Expiration": {"Days": 1}}]})
    with pytest.raises(LifecycleError, match="Rules/0/Status"):
        parse_lifecycle({"Rules": [{"ID": "a", "Status": "On", "Expiration": {"Days": 1}}]})


def test_documented_good_configurations_are_accepted() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html (Glacier classes
    take Days 0) and lifecycle-transition-general-considerations.html (the waterfall)."""
    for steps in (((0, "GLACIER_IR"),), ((30, "STANDARD_IA"), (60, "GLACIER")),
                  ((30, "STANDARD_IA"), (40, "INTELLIGENT_TIERING")),
                  ((0, "INTELLIGENT_TIERING"), (30, "ONEZONE_IA"), (60, "DEEP_ARCHIVE")),
                  ((30, "GLACIER_IR"), (31, "GLACIER"), (32, "DEEP_ARCHIVE"))):
        parse_lifecycle(_config({"Transitions": _moves(*steps)}))


def test_rules_together_never_take_an_unsupported_transition() -> None:
    """https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html:
    One Zone-IA cannot go to Glacier Instant Retrieval, so a second rule naming it is
    not applied to an object already in One Zone-IA; Glacier Flexible Retrieval still is."""
    config = parse_lifecycle(_config({"Transitions": _moves((30, "ONEZONE_IA"))},
                                     {"Transitions": _moves((40, "GLACIER_IR"))},
                                     {"Transitions": _moves((100, "GLACIER"))}))
    facts = VersionFacts("a", BIG, CREATED)
    assert state_at(config, facts, _at(50)).storage_class is SC.ONEZONE_IA
    assert state_at(config, facts, _at(101)).storage_class is SC.GLACIER
