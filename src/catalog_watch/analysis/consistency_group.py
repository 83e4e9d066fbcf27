"""The checks across a group of offerings of one model: each field compared between them.
Kinds and severities: ``consistency.py``.

Written for speed: each check pulls one column out of the group's records, first tests cheaply
(a set, a count) whether it agrees, as most do, and only builds labels and values once it has
found a disagreement.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from catalog_watch.analysis.consistency_offering import (
    NUMBER,
    Row,
    make,
    prices,
    section,
    zero_priced,
)
from catalog_watch.model.catalog import JSON, Record
from catalog_watch.model.inconsistency import Inconsistency
from catalog_watch.model.inconsistency import InconsistencyKind as Kind
from catalog_watch.model.severity import Severity
from catalog_watch.settings.inconsistencies import ConsistencySettings

__all__ = ["Group", "check_group"]

_CAPABILITIES = (
    ("tool_call", Severity.MEDIUM),
    ("reasoning", Severity.LOW),
    ("attachment", Severity.LOW),
    ("structured_output", Severity.LOW),
)


class Group:
    """A group's members, records and single-pass rows side by side; labels built on first use.

    Members come sorted by label from ``group_by_identity``, so values need no sorting.
    """

    __slots__ = ("_labels", "key", "members", "records", "rows")

    def __init__(
        self, key: str, members: list[tuple[str, str]], records: list[Record], rows: list[Row]
    ) -> None:
        self.key = key
        self.members = members
        self.records = records
        self.rows = rows
        self._labels: list[str] | None = None

    @property
    def labels(self) -> list[str]:
        if self._labels is None:
            self._labels = [f"{provider}/{model_id}" for provider, model_id in self.members]
        return self._labels

    def add(
        self,
        found: list[Inconsistency],
        kind: Kind,
        field_: str,
        column: list[JSON],
        keep: list[bool],
        severity: Severity,
    ) -> None:
        labels = self.labels
        values = {label: value for label, value, k in zip(labels, column, keep, strict=True) if k}
        found.append(make(kind, self.key, field_, values, severity, self.key, presorted=True))


def check_group(
    group: Group, free: frozenset[str], settings: ConsistencySettings, found: list[Inconsistency]
) -> None:
    """Each check first tests cheaply (a set, a count) whether its column agrees: most do."""
    records = group.records
    for index, name in enumerate(("context", "output")):
        column = [row[index] for row in group.rows]
        if _distinct(column) > 1:
            _check_window(group, column, name, settings, found)
    modalities = [section(record, "modalities") for record in records]
    for direction, severity in (("input", Severity.LOW), ("output", Severity.MEDIUM)):
        column = [m.get(direction) if m is not None else None for m in modalities]
        if column.count(column[0]) != len(column):
            _check_modalities(group, column, direction, severity, found)
    for name, severity in _CAPABILITIES:
        column = [record.get(name) for record in records]
        if True in column and False in column:  # then keep only real booleans
            keep = [type(value) is bool for value in column]
            if len({value for value, k in zip(column, keep, strict=True) if k}) > 1:
                group.add(found, Kind.CAPABILITY_MISMATCH, name, column, keep, severity)
    column = [record.get("knowledge") for record in records]
    if _distinct(column) > 1:
        _check_knowledge(group, column, found)
    # :free variants and free providers take no part in price comparisons (``free_providers``).
    costs = [
        row[2] if provider not in free and model_id[-5:].lower() != ":free" else None
        for (provider, model_id), row in zip(group.members, group.rows, strict=True)
    ]
    if len(costs) - costs.count(None) > 1:
        for name in ("input", "output"):
            column = [cost.get(name) if cost is not None else None for cost in costs]
            if _distinct(column) > 1:
                _check_price(group, column, name, settings, found)
        _check_zero_price(group, costs, found)


def _distinct(column: list[JSON]) -> int:
    """How many different values besides None and 0 (an upper bound if some are unhashable)."""
    try:
        values = set(column)
    except TypeError:
        return len(column)
    values.discard(None)
    values.discard(0)
    return len(values)


def _positive(column: list[JSON]) -> tuple[list[bool], list[float]]:
    """Which values are positive numbers (the ``keep`` mask), and those numbers."""
    keep = [type(value) in NUMBER and value > 0 for value in column]
    return keep, [value for value, k in zip(column, keep, strict=True) if k]


def _check_window(
    group: Group,
    column: list[JSON],
    name: str,
    settings: ConsistencySettings,
    found: list[Inconsistency],
) -> None:
    keep, numbers = _positive(column)  # 0 = none published
    if len(numbers) < 2:
        return
    low, high = min(numbers), max(numbers)
    if high - low <= settings.context_tolerance * high:
        return
    severity = Severity.HIGH if high >= settings.window_high_ratio * low else Severity.MEDIUM
    group.add(found, Kind.LIMIT_MISMATCH, f"limit.{name}", column, keep, severity)


def _check_modalities(
    group: Group,
    column: list[JSON],
    direction: str,
    severity: Severity,
    found: list[Inconsistency],
) -> None:
    """Modalities compare as sets: ``[text, image]`` and ``[image, text]`` agree."""
    keep = [type(value) is list for value in column]
    try:
        as_sets = [sorted(set(v)) if k else None for v, k in zip(column, keep, strict=True)]
    except TypeError:  # not a list of strings: compare what they print as
        as_sets = [
            sorted({str(item) for item in v}) if k else None
            for v, k in zip(column, keep, strict=True)
        ]
    if len({tuple(value) for value in as_sets if value is not None}) > 1:
        group.add(found, Kind.MODALITY_MISMATCH, f"modalities.{direction}", as_sets, keep, severity)


def _month(value: JSON) -> int | None:
    """``YYYY-MM`` or ``YYYY-MM-DD`` as a month count; None if it is not a date."""
    if type(value) is not str or len(value) < 7 or value[4] != "-":
        return None
    year, month = value[:4], value[5:7]
    if not (year.isdigit() and month.isdigit()):
        return None
    return int(year) * 12 + int(month) - 1


def _check_knowledge(group: Group, column: list[JSON], found: list[Inconsistency]) -> None:
    """Cutoffs compared by month: ``2024-04`` and ``2024-04-01`` agree."""
    months = [_month(value) for value in column]
    distinct = {month for month in months if month is not None}
    if len(distinct) > 1:
        severity = Severity.LOW if max(distinct) - min(distinct) > 12 else Severity.INFO
        keep = [month is not None for month in months]
        group.add(found, Kind.KNOWLEDGE_MISMATCH, "knowledge", column, keep, severity)


def _check_price(
    group: Group,
    column: list[JSON],
    name: str,
    settings: ConsistencySettings,
    found: list[Inconsistency],
) -> None:
    """Spread of positive prices around the group median; 0 is ``zero_price_in_paid_group``."""
    keep, numbers = _positive(column)
    # Every price lies between min and max, and so does the median: below this, no ratio can.
    if len(numbers) < 2 or max(numbers) < settings.price_ratio * min(numbers):
        return
    worst = _worst_ratio(numbers)
    if worst >= settings.unit_error_ratio:
        group.add(found, Kind.PRICE_UNIT_ERROR, f"cost.{name}", column, keep, Severity.HIGH)
    elif worst >= settings.price_ratio:
        severity = Severity.HIGH if worst >= settings.high_price_ratio else Severity.MEDIUM
        group.add(found, Kind.PRICE_SPREAD, f"cost.{name}", column, keep, severity)


def _worst_ratio(numbers: Sequence[float]) -> float:
    """How far the farthest price is from the median, as a factor >= 1 (either direction)."""
    median = statistics.median(numbers)
    return max(max(n / median, median / n) for n in numbers)


def _check_zero_price(
    group: Group, costs: list[Mapping[str, JSON] | None], found: list[Inconsistency]
) -> None:
    """0/0 offerings in a group where more offerings charge than not.

    "More charge than not" rather than "all others charge": two providers that both forgot a
    price are both reported. ``costs`` already leaves out free variants and free providers.
    """
    zero = [cost is not None and zero_priced(cost) for cost in costs]
    if not any(zero):
        return
    charging = {
        label: prices(cost)
        for label, cost, z in zip(group.labels, costs, zero, strict=True)
        if cost is not None and not z
    }
    if len(charging) <= sum(zero):
        return
    for label, cost, z in zip(group.labels, costs, zero, strict=True):
        if z and cost is not None:
            values: dict[str, JSON] = {**charging, label: prices(cost)}
            found.append(
                make(
                    Kind.ZERO_PRICE_IN_PAID_GROUP, group.key, "cost", values, Severity.MEDIUM, label
                )
            )
