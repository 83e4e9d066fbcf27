"""Price periods (``history.history_from_ledger``) → the lines of a model's price chart.

The ledger only knows what runs saw, so the chart's time axis runs from a little before the
first run (a value in effect "since before the history begins" starts at the left edge) to the
build time, or a little after the last run so a change in the newest run still shows its new
value. An offering of the group whose price never changed in the ledger is drawn flat at its
current catalog price, so every provider of the model has its line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from catalog_watch.catalog import JSON, Record
from catalog_watch.history import Period
from catalog_watch.site.chart import PRICE_FIELDS, Series
from catalog_watch.site.runs import parse_time

MAX_LINES = 10
"""Offerings per chart (one colour each); those with changes come first, the table has all."""

MIN_PAD = timedelta(days=3)

Offering = tuple[str, str]
Step = tuple[datetime, datetime, float]


@dataclass(frozen=True, slots=True)
class Span:
    left: datetime  # naive UTC, as matplotlib dates want them
    right: datetime


def span_of(first_run: datetime, last_run: datetime, now: datetime) -> Span:
    pad = max((last_run - first_run) / 8, MIN_PAD)
    right = max(now, last_run + pad)
    return Span(left=_naive(first_run - pad), right=_naive(right))


@dataclass(frozen=True, slots=True)
class ChartData:
    series: tuple[Series, ...]
    changed: bool  # any price event in the ledger (else the chart would be flat lines only)
    omitted: int  # offerings left out beyond MAX_LINES


def chart_data(
    periods: Sequence[Period], current: Mapping[Offering, Record], span: Span
) -> ChartData:
    """Lines for one model: ``periods`` are its price periods, ``current`` its offerings now."""
    by_line: dict[tuple[str, str, str], list[Period]] = {}
    for period in periods:
        if period.field in PRICE_FIELDS:
            by_line.setdefault((period.provider, period.model, period.field), []).append(period)
    eventful = {(p.provider, p.model) for p in periods if p.start is not None or p.end is not None}
    offerings = sorted(
        {(p, m) for p, m, _ in by_line} | set(current), key=lambda o: (o not in eventful, o)
    )
    chosen = offerings[:MAX_LINES]
    series = []
    for provider, model_id in chosen:
        for field in PRICE_FIELDS:
            points = _points(by_line.get((provider, model_id, field), []), span)
            if not points:
                points = _flat(current.get((provider, model_id)), field, span)
            if points:
                series.append(Series(provider, model_id, field, points))
    return ChartData(tuple(series), bool(eventful), len(offerings) - len(chosen))


def _points(periods: Sequence[Period], span: Span) -> tuple[Step, ...]:
    points = []
    for period in sorted(periods, key=lambda p: p.start or ""):
        value = _number(period.value)
        if value is None:
            continue
        start = _moment(period.start, span.left)
        end = _moment(period.end, span.right)
        points.append((start, end, value))
    return tuple(points)


def _flat(record: Record | None, field: str, span: Span) -> tuple[Step, ...]:
    cost = record.get("cost") if record is not None else None
    value = _number(cost.get(field.removeprefix("cost."))) if isinstance(cost, Mapping) else None
    return () if value is None else ((span.left, span.right, value),)


def _moment(stamp: str | None, default: datetime) -> datetime:
    moment = parse_time(stamp) if stamp is not None else None
    return default if moment is None else _naive(moment)


def _number(value: JSON) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)
