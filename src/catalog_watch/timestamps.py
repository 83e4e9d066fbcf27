"""The one way catalog-watch writes a moment: UTC ``YYYY-MM-DDTHH:MM:SSZ`` (sorts as text)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_stamp(text: str) -> datetime:
    """A stamp written by :func:`utc_stamp` (or any ISO time ending in ``Z``) as a datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc_stamp(value: str | datetime) -> str:
    """A datetime (or an ISO/git date string) as UTC ``YYYY-MM-DDTHH:MM:SSZ``."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
