"""Parsers for the typed values condition operators compare: numbers, dates, booleans,
base-64 and IP addresses. Pure functions shared by the validator and the engine; each
returns None for text it cannot read, so callers decide what that means.

Source: IAM-UG/reference_policies_elements_condition_operators.html (one section per
family). The caches are on pure functions of one string: request values repeat.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache


def canonical_text(value: object) -> str:
    """A JSON scalar as IAM compares it: `true`/`false`, `5` for `5.0`, else its text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


NUMBER_EXPECTED = "an integer or a decimal number"
DATE_EXPECTED = "a date (W3C ISO 8601, such as `2020-01-01T00:00:00Z`) or epoch seconds"
BOOL_EXPECTED = "`true` or `false`"
BASE64_EXPECTED = "valid base-64 text"
NETWORK_EXPECTED = "an IP address or CIDR range"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    """An integer or decimal; None for anything else (whitespace, `_`, NaN, infinities)."""
    if not text or text.strip() != text or "_" in text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


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

    Values use the W3C profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime) or epoch
    seconds. A bare four-digit number is read as a year (`YYYY` is a W3C form), any other
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


_BOOLEANS = {"true": True, "false": False}


def parse_bool(text: str) -> bool | None:
    return _BOOLEANS.get(text.lower())


@lru_cache(maxsize=1024)
def parse_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


@lru_cache(maxsize=4096)
def parse_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def parse_network(text: str) -> Network | None:
    """A CIDR range; a bare address is a single host. Host bits after the prefix are ignored."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
