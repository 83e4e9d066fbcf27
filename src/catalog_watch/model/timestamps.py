"""The one way catalog-watch writes a moment: UTC ``YYYY-MM-DDTHH:MM:SSZ`` (sorts as text), and
the one way it reads one back."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time


def parse_stamp(text: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime: a stamp written by :func:`utc_stamp`, or any
    ISO time with ``Z``, an offset, or none (then taken as UTC). ValueError when unreadable."""
    when = datetime.fromisoformat(text)  # Python 3.11 reads a trailing Z
    try:
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first UTC moment
        raise ValueError(f"{text!r} is out of range as a UTC time") from None


def parse_moment(text: str) -> datetime:
    """:func:`parse_stamp`, except that a bare day (``YYYY-MM-DD``, as older versions stored it
    and as a user may write one) is its last second, UTC."""
    if len(text) == 10:
        return day_end(date.fromisoformat(text))
    return parse_stamp(text)


def stamp_of(when: str | date | datetime) -> str:
    """A moment as a UTC stamp: a day (``date`` or ``YYYY-MM-DD``) is its last second, so that
    "the price on a day" is the price as that day closed."""
    if isinstance(when, str):
        return utc_stamp(parse_moment(when))
    if isinstance(when, datetime):
        return utc_stamp(when)
    return utc_stamp(day_end(when))


def day_end(day: date) -> datetime:
    """The last second of ``day``, UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def read_stamp(value: object) -> datetime | None:
    """:func:`parse_stamp` for a value read from a file: None when it is not a non-empty string
    or not a readable time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_stamp(value)
    except ValueError:
        return None


def utc_stamp(value: str | datetime) -> str:
    """A datetime (or an ISO/git date string) as UTC ``YYYY-MM-DDTHH:MM:SSZ``; a naive one is
    taken as UTC."""
    when = value if isinstance(value, datetime) else parse_stamp(value)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    # Not strftime: its %Y writes the year 999 as "999", which sorts after "2026" as text.
    return f"{when.year:04d}-{when:%m-%dT%H:%M:%S}Z"


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the one form LiteLLM and OpenRouter use


def calendar_day(value: object) -> date | None:
    """A ``YYYY-MM-DD`` day; None for anything else (``date.fromisoformat`` alone would also
    read ``20260901`` and ``2026-W36-1``, and ``2026-02-30`` is no day)."""
    if not isinstance(value, str) or _DAY.fullmatch(value) is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
