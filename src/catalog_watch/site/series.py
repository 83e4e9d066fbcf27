"""Price periods (``history.history_from_ledger``) → the lines of a model's price chart.

Which offerings get a line (at most :data:`MAX_LINES`, one colour each): first those whose input
or output price changed in the ledger, then the ones offered now, the maker's own first; an
offering that is gone and never changed price is not drawn. A drawn offering that is gone says
so in the legend (``gone since 2026-06-28``) and its line stops where it was removed.

The time axis runs from the baseline (the date of the snapshot the first run was measured from,
when git knows it; else a little before the first run) to the last run, and no further. A value
the ledger never saw change starts at the left edge, or where the offering was added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from catalog_watch.analysis.history import Period
from catalog_watch.model.catalog import Record
from catalog_watch.model.json_text import as_float
from catalog_watch.site.chart import PRICE_FIELDS, Series
from catalog_watch.site.runs import parse_time

MAX_LINES = 10
"""Offerings per chart (one colour each); the changed ones come first, the table has all."""

MAX_TICKS = 8
"""Up to this many runs, the x axis labels the baseline and each run; beyond, even spacing."""

MIN_PAD = timedelta(days=3)

Offering = tuple[str, str]
Step = tuple[datetime, datetime, float]


@dataclass(frozen=True, slots=True)
class Span:
    left: datetime  # naive UTC
    right: datetime  # the last run
    ticks: tuple[datetime, ...]
    baseline: bool  # the left edge is the baseline snapshot's date (else: unknown, padded)


def span_of(run_times: Sequence[datetime], baseline: datetime | None) -> Span:
    """The x axis for runs at ``run_times`` (any order) measured from a ``baseline`` snapshot."""
    first, last = min(run_times), max(run_times)
    known = baseline is not None and baseline < first
    left = baseline if baseline is not None and known else first - _pad(first, last)
    ticks = sorted({*run_times, *([left] if known else [])}) if len(run_times) < MAX_TICKS else []
    return Span(_naive(left), _naive(last), tuple(map(_naive, ticks)), known)


def _pad(first: datetime, last: datetime) -> timedelta:
    return max((last - first) / 8, MIN_PAD)


@dataclass(frozen=True, slots=True)
class Events:
    """What the ledger says about a model's offerings besides their price periods."""

    priced: frozenset[Offering]  # input or output price changed at least once
    added: Mapping[Offering, datetime]  # the last time each was added
    removed: Mapping[Offering, datetime]  # the last time each was removed


@dataclass(frozen=True, slots=True)
class ChartData:
    series: tuple[Series, ...]
    changed: bool  # an input or output price changed (else the chart would be flat lines only)
    gone: tuple[tuple[str, str], ...]  # (line name, removal date) of drawn offerings now gone
    left_out_changed: int  # offerings whose price changed, not drawn (beyond MAX_LINES)
    left_out_current: int  # current offerings with unchanged prices, not drawn


def chart_data(
    periods: Sequence[Period],
    current: Mapping[Offering, Record],
    span: Span,
    events: Events,
    maker: Offering | None = None,
) -> ChartData:
    """Lines for one model: ``periods`` are its price periods, ``current`` its offerings now."""
    by_line: dict[tuple[str, str, str], list[Period]] = {}
    for period in periods:
        if period.field in PRICE_FIELDS:
            by_line.setdefault((period.provider, period.model, period.field), []).append(period)
    changed = sorted(o for o in events.priced if o in current or _has_line(by_line, o))
    steady = sorted((o for o in current if o not in events.priced), key=lambda o: (o != maker, o))
    chosen = (changed + steady)[:MAX_LINES]
    series = [s for o in chosen for s in _series(o, by_line, current, span, events)]
    drawn = {(s.provider, s.model_id) for s in series}
    gone = [(s.provider, s.note) for s in series if s.note and s.field == PRICE_FIELDS[0]]
    return ChartData(
        series=tuple(series),
        changed=bool(changed),
        gone=tuple(gone),
        left_out_changed=sum(1 for o in changed if o not in drawn),
        left_out_current=sum(1 for o in current if o not in drawn),
    )


def _has_line(by_line: Mapping[tuple[str, str, str], list[Period]], offering: Offering) -> bool:
    return any((*offering, field) in by_line for field in PRICE_FIELDS)


def _series(
    offering: Offering,
    by_line: Mapping[tuple[str, str, str], list[Period]],
    current: Mapping[Offering, Record],
    span: Span,
    events: Events,
) -> list[Series]:
    provider, model_id = offering
    offered = offering in current
    removed = events.removed.get(offering)
    note = "" if offered else "gone" if removed is None else f"gone since {removed:%Y-%m-%d}"
    lines = []
    for field in PRICE_FIELDS:
        points = _points(by_line.get((provider, model_id, field), []), span)
        if not points and offered:
            start = events.added.get(offering)
            points = _flat(current[offering], field, _naive(start) if start else span.left, span)
        if points:
            lines.append(Series(provider, model_id, field, points, note=note, current=offered))
    return lines


def _points(periods: Sequence[Period], span: Span) -> tuple[Step, ...]:
    points = []
    for period in sorted(periods, key=lambda p: p.start or ""):
        value = as_float(period.value)
        if value is None:
            continue
        start = _moment(period.start, span.left)
        end = _moment(period.end, span.right)
        points.append((start, end, value))
    return tuple(points)


def _flat(record: Record, field: str, start: datetime, span: Span) -> tuple[Step, ...]:
    cost = record.get("cost")
    value = as_float(cost.get(field.removeprefix("cost."))) if isinstance(cost, Mapping) else None
    return () if value is None else ((start, span.right, value),)


def _moment(stamp: str | None, default: datetime) -> datetime:
    moment = parse_time(stamp) if stamp is not None else None
    return default if moment is None else _naive(moment)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)
