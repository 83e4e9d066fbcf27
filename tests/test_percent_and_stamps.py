"""The one percent rule (catalog_watch.render.percent) and the one UTC reader (timestamps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from catalog_watch.model.timestamps import parse_moment, parse_stamp, read_stamp, utc_stamp
from catalog_watch.render.percent import percent
from catalog_watch.render.values import money
from catalog_watch.render.values import percent as rendered_percent


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (20.0, "+20 %"),
        (-95.0, "-95 %"),
        (100 / 24, "+4.17 %"),
        (Decimal("-87.2"), "-87.2 %"),
        (Decimal("4.125"), "+4.13 %"),  # the cost maths round half up
        (None, ""),
    ],
)
def test_percent_reads_the_same_for_floats_and_decimals(
    value: float | Decimal | None, text: str
) -> None:
    assert percent(value) == text
    assert rendered_percent is percent


def test_a_stamp_reads_back_as_aware_utc() -> None:
    moment = datetime(2026, 11, 25, 10, 17, tzinfo=UTC)
    assert parse_stamp(utc_stamp(moment)) == moment
    assert parse_stamp("2026-11-25T11:17:00+01:00").tzinfo is UTC
    assert parse_stamp("2026-11-25T10:17:00") == moment  # no offset: UTC
    plus_one = timezone(timedelta(hours=1))
    assert utc_stamp(datetime(2026, 11, 25, 11, 17, tzinfo=plus_one)) == "2026-11-25T10:17:00Z"


@pytest.mark.parametrize(
    "value", [None, "", "yesterday", 17, "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_read_stamp_is_none_for_what_is_not_a_time(value: object) -> None:
    """The last two are times no UTC moment holds: an OverflowError once, past every check."""
    assert read_stamp(value) is None


def test_a_stamp_before_the_year_1000_keeps_four_digits_and_sorts_as_text() -> None:
    """strftime's %Y wrote the year 999 as "999", which sorts after "2026": the ledger's order."""
    early = utc_stamp("0999-01-01T00:00:00Z")
    assert early == "0999-01-01T00:00:00Z"
    assert sorted([utc_stamp("2026-01-01T00:00:00Z"), early])[0] == early


def test_a_bare_day_is_its_last_second() -> None:
    assert parse_moment("2026-11-25") == datetime(2026, 11, 25, 23, 59, 59, tzinfo=UTC)
    assert parse_moment("2026-11-25T10:17:00Z") == parse_stamp("2026-11-25T10:17:00Z")


def test_a_price_no_float_holds_is_still_written_as_money() -> None:
    """A hand-edited outbox or ledger line may hold 10**400: rendering its alert raised
    OverflowError, after the run had committed its claim, in every later run."""
    assert money(10**400) == "$" + f"{10**400:,}"
    assert money(2.5) == "$2.50" and money(0.075) == "$0.075"
