"""Date operators: DateEquals, DateLessThan, ... (DateNotEquals in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_Date.
Values use the W3C profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime) or epoch
seconds, on either side; both become aware UTC datetimes. No variables, no wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values

Comparison = Callable[[datetime, datetime], bool]

# `re` is fine here: this parses a date format, it is not IAM wildcard matching.
_W3C_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?",
    re.IGNORECASE,
)
_EPOCH_SECONDS = re.compile(r"-?\d+(?:\.\d+)?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=4096)
def parse_date(text: str) -> datetime | None:
    """A W3C date/time or epoch seconds as an aware UTC datetime; None if neither.

    A bare four-digit number is read as a year (`YYYY` is a W3C form), any other
    all-digit number as epoch seconds.
    """
    try:
        w3c = _W3C_DATE.fullmatch(text)
        if w3c is not None:
            return _from_w3c(w3c)
        if _EPOCH_SECONDS.fullmatch(text):
            return _from_epoch(Decimal(text))
    except (ValueError, OverflowError):
        return None
    return None


def _from_w3c(found: re.Match[str]) -> datetime:
    part = found.group
    fraction = part("fraction") or ""
    moment = datetime(
        int(part("year")),
        int(part("month") or 1),
        int(part("day") or 1),
        int(part("hour") or 0),
        int(part("minute") or 0),
        int(part("second") or 0),
        int((fraction + "000000")[:6]),  # finer than microseconds is truncated
        tzinfo=_zone(part("zone")),
    )
    return moment.astimezone(UTC)


def _zone(text: str | None) -> timezone:
    # A time without a zone designator is not in the W3C profile; it is read as UTC.
    if text is None or text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_epoch(seconds: Decimal) -> datetime:
    whole = int(seconds)
    micros = int((seconds - whole) * 1_000_000)
    return _EPOCH + timedelta(seconds=whole, microseconds=micros)


def compile_date(compare: Comparison) -> Callable[[tuple[str, ...], bool], Matcher]:
    """A factory for one comparison; `compare(request, policy)`."""

    def compile_values(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
        moments = parse_policy_values(
            values,
            parse_date,
            "a date (W3C ISO 8601, such as `2020-01-01T00:00:00Z`) or epoch seconds",
        )
        return ParsedComparison(parse_date, moments, compare)

    return compile_values
