"""Cross-provider inconsistencies in one catalog: the same model described differently.

Offerings are grouped by model (``grouping.py``), then each group is compared field by field and
each offering is checked on its own. Every finding is an :class:`Inconsistency` whose ``id`` does
not depend on the numbers, so comparing two runs (:func:`compare_inconsistencies`) says which
disagreements appeared and which were resolved, not which merely moved.

Noise control, all measured on the real 2026-06 catalog:

* Context and output windows within ``context_tolerance`` (5 %) of each other are one window
  written two ways (128000 vs 131072). A window of 0 means "not published" (image, audio and
  embedding models) and is left out, as is a missing value.
* Prices are compared only between offerings that are actually paid: offerings without ``cost``
  are "unknown price", ``:free`` variants and providers that list most of their models at 0/0
  (coding and token plans, GitHub Models, NVIDIA's free tier, local runtimes) are left out; a
  price of 0 is a different finding (``zero_price_in_paid_group``), not a spread.
* Capabilities and modalities compare only values that are present (``structured_output`` is
  optional: missing is unknown, not false); modality lists compare as sets.

Kinds, their field and severity (and why):

=========================  =====================  =================================================
kind                        field                  severity
=========================  =====================  =================================================
limit_mismatch              limit.context/output   HIGH at ``window_high_ratio`` (2x) or more: a
                                                   client trusting the bigger number gets requests
                                                   rejected; MEDIUM between the tolerance and 2x.
price_unit_error            cost.input/output      HIGH: a price ``unit_error_ratio`` (100x) or more
                                                   off the group median is per-1K vs per-1M or
                                                   cents vs dollars, not a market price.
price_spread                cost.input/output      MEDIUM from ``price_ratio`` (3x); HIGH from
                                                   ``high_price_ratio`` (10x): someone pays 10x too
                                                   much or the catalog is wrong either way.
modality_mismatch           modalities.output      MEDIUM: a model that does or does not produce
                                                   images/audio is a different product.
modality_mismatch           modalities.input       LOW: providers legitimately accept fewer inputs
                                                   (no PDF, no video) for the same model.
capability_mismatch         tool_call              MEDIUM: agents select models on tool calling.
capability_mismatch         reasoning, attachment, LOW: often a provider-side toggle (hybrid
                            structured_output      reasoning models) or simply unstated.
knowledge_mismatch          knowledge              LOW if more than 12 months apart (likely a typo
                                                   or a mis-grouped model), else INFO: the cutoff
                                                   does not change what a call costs or accepts.
output_exceeds_context      limit.output           MEDIUM: impossible as written; max_tokens
                                                   taken from it fails.
cache_read_above_input      cost.cache_read        MEDIUM: a cache hit is a discount by definition;
                                                   cost estimates for cached prompts are wrong.
zero_price_in_paid_group    cost                   MEDIUM: usually a price never filled in; a
                                                   cost dashboard would show the model as free.
tier_below_base             cost.tiers,            LOW: long-context tiers cost more, never less;
                            cost.context_over_200k only long prompts are affected.
=========================  =====================  =================================================

Stable ids: ``"<kind>:<group key>:<field>"`` for a group finding and
``"<kind>:<provider>/<model id>:<field>"`` for a finding about one offering. The single-offering
form leaves the group key out on purpose: it depends on aliases and on whether models.json was
available, and a per-offering finding should not appear/resolve when only the grouping moved.
Treat ids as opaque strings (model ids may contain ``:``).
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalog_watch.analysis.identity import (
    ModelIndex,
    group_by_identity,
    load_model_index,
    normalize_model_id,
)
from catalog_watch.model.catalog import JSON, Catalog, Record
from catalog_watch.model.severity import Severity

__all__ = [
    "ConsistencySettings",
    "Inconsistency",
    "ModelIndex",
    "compare_inconsistencies",
    "find_inconsistencies",
    "group_offerings",
    "load_model_index",
    "normalize_model_id",
]


@dataclass(frozen=True, slots=True)
class ConsistencySettings:
    """Thresholds for :func:`find_inconsistencies` (all ratios are "times", not percent).

    Args:
        context_tolerance: relative gap under which two windows are the same (0.05: 128000 and
            131072 are one window, 120000 and 131072 are not).
        price_ratio: an offering this many times above or below the group median is a spread.
        unit_error_ratio: this far off the median is a unit error. 100, not 1000, because the
            real mistral-nemo error ($20/$40 against $0.02-0.15) is 1000x the cheapest offering
            but only 133x/267x the *median*; genuine market spreads on 2026-06 stay under 25x
            (the only other cases past 30x, evroc's voxtral-small at $0.0023, look like slips).
        aliases: ``"<provider>/<model id>"`` or a bare normalized id -> group key.
        window_high_ratio: a window disagreement this large (max/min) is HIGH, below it MEDIUM.
        high_price_ratio: a price spread this large is HIGH, below it MEDIUM.
    """

    context_tolerance: float = 0.05
    price_ratio: float = 3.0
    unit_error_ratio: float = 100.0
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)
    window_high_ratio: float = 2.0
    high_price_ratio: float = 10.0

    def __post_init__(self) -> None:
        if not 0 <= self.context_tolerance < 1:
            raise ValueError("context_tolerance must be in [0, 1)")
        ratios = ("price_ratio", "unit_error_ratio", "window_high_ratio", "high_price_ratio")
        for name in ratios:
            if not getattr(self, name) > 1:
                raise ValueError(f"{name} must be above 1")


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """One disagreement inside a group of offerings, or one offering that contradicts itself.

    ``values`` maps ``"<provider>/<model id>"`` to the value(s) involved, keys sorted. It is left
    out of hashing (a dict is not hashable); ``id`` identifies the finding.
    """

    id: str
    kind: str
    model: str
    field: str
    values: Mapping[str, JSON] = dataclasses.field(hash=False)
    severity: Severity

    def to_json(self) -> dict[str, JSON]:
        return {
            "id": self.id,
            "kind": self.kind,
            "model": self.model,
            "field": self.field,
            "values": dict(self.values),
            "severity": self.severity.value,
        }

    def describe(self) -> str:
        """One line in words, e.g. ``limit.context varies: 131072 (a/x, b/y), 65536 (c/z)``."""
        from catalog_watch.render.inconsistency_line import describe  # words only when asked for

        return describe(self)


# -- Public entry points ---------------------------------------------------------------------

DEFAULT_SETTINGS = ConsistencySettings()


def group_offerings(
    catalog: Catalog,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
) -> dict[str, list[tuple[str, str]]]:
    """Group key -> ``[(provider, model id)]`` for every offering (singletons included).

    See ``grouping.py`` for the identity rules.
    """
    return group_by_identity(catalog, settings.aliases, index)


def find_inconsistencies(
    catalog: Catalog,
    settings: ConsistencySettings = DEFAULT_SETTINGS,
    index: ModelIndex | None = None,
) -> list[Inconsistency]:
    """Every inconsistency in the catalog, most severe first, then by id."""
    groups = group_by_identity(catalog, settings.aliases, index)
    models = {provider_id: provider.models for provider_id, provider in catalog.providers.items()}
    free = _free_providers(catalog)
    found: list[Inconsistency] = []
    for key, members in groups.items():
        records = [models[provider][model_id] for provider, model_id in members]
        rows = [
            _check_offering(key, provider, model_id, record, found)
            for (provider, model_id), record in zip(members, records, strict=True)
        ]
        if len(members) > 1:
            _check_group(_Group(key, members, records, rows), free, settings, found)
    found.sort(key=_order)
    return found


def compare_inconsistencies(
    old: Sequence[Inconsistency], new: Sequence[Inconsistency]
) -> tuple[list[Inconsistency], list[Inconsistency]]:
    """``(appeared, resolved)`` between two runs, matched by id, each sorted like the input.

    A finding whose values or severity changed keeps its id and is in neither list.
    """
    old_ids = {item.id for item in old}
    new_ids = {item.id for item in new}
    appeared = sorted((item for item in new if item.id not in old_ids), key=_order)
    resolved = sorted((item for item in old if item.id not in new_ids), key=_order)
    return appeared, resolved


# -- Internals -------------------------------------------------------------------------------
#
# Written for speed (the whole 2026-06 catalog in a few tens of milliseconds): each check pulls
# one column out of the group's records and only builds labels and values once it has found a
# disagreement.


def _order(item: Inconsistency) -> tuple[int, str]:
    return item.severity.rank, item.id


_NUMBER = (int, float)


def _is_number(value: JSON) -> bool:
    """A JSON number; ``True`` is not 1 here (``type(value) in _NUMBER`` inline in hot loops)."""
    return type(value) in _NUMBER


def _number(value: JSON) -> float | None:
    return float(value) if _is_number(value) else None


def _section(record: Mapping[str, JSON], name: str) -> Mapping[str, JSON] | None:
    value = record.get(name)
    if value is None:
        return None
    if type(value) is dict or isinstance(value, Mapping):
        return value
    return None


def _zero_priced(cost: Mapping[str, JSON]) -> bool:
    """Listed as free (0/0). No ``cost`` at all is an unknown price, not a free one."""
    price_in, price_out = cost.get("input"), cost.get("output")
    return _is_number(price_in) and _is_number(price_out) and price_in == 0 and price_out == 0


def _free_providers(catalog: Catalog) -> frozenset[str]:
    """Providers that list most of their priced models at 0/0: the zero is their policy.

    Coding and token plans, GitHub Models, NVIDIA's free endpoints, local runtimes (28 providers
    on 2026-06). Their offerings, like ``:free`` variants, take no part in price comparisons.
    """
    free: set[str] = set()
    for provider_id, provider in catalog.providers.items():
        priced = zero = 0
        for record in provider.models.values():
            cost = _section(record, "cost")
            if cost is not None:
                priced += 1
                zero += _zero_priced(cost)
        if zero * 2 > priced:
            free.add(provider_id)
    return frozenset(free)


def _make(
    kind: str,
    key: str,
    field_: str,
    values: Mapping[str, JSON],
    severity: Severity,
    subject: str,
    *,
    presorted: bool = False,
) -> Inconsistency:
    return Inconsistency(
        id=f"{kind}:{subject}:{field_}",
        kind=kind,
        model=key,
        field=field_,
        values=values if presorted else {label: values[label] for label in sorted(values)},
        severity=severity,
    )


# -- Single-offering checks ------------------------------------------------------------------


_Row = tuple[JSON, JSON, Mapping[str, JSON] | None]
"""What the group checks reuse from the single-offering pass: context, output, cost block."""


def _check_offering(
    key: str, provider: str, model_id: str, record: Record, found: list[Inconsistency]
) -> _Row:
    context: Any = None
    output: Any = None
    limit = _section(record, "limit")
    if limit is not None:
        context = limit.get("context")
        output = limit.get("output")
        # A context of 0 publishes no window, so nothing can exceed it.
        if type(context) in _NUMBER and type(output) in _NUMBER and 0 < context < output:
            label = f"{provider}/{model_id}"
            values = {label: {"context": context, "output": output}}
            found.append(
                _make("output_exceeds_context", key, "limit.output", values, Severity.MEDIUM, label)
            )
    cost = _section(record, "cost")
    if cost is None:
        return context, output, None
    price_in: Any = cost.get("input")
    cache_read: Any = cost.get("cache_read")
    if type(cache_read) in _NUMBER and type(price_in) in _NUMBER and cache_read > price_in:
        label = f"{provider}/{model_id}"
        values = {label: {"input": price_in, "cache_read": cache_read}}
        found.append(
            _make("cache_read_above_input", key, "cost.cache_read", values, Severity.MEDIUM, label)
        )
    tiers = cost.get("tiers")
    if tiers and type(tiers) is list:
        below = [_tier_view(t) for t in tiers if isinstance(t, Mapping) and _below(t, cost)]
        if below:
            label = f"{provider}/{model_id}"
            values = {label: {"base": _prices(cost), "below": below}}
            found.append(_make("tier_below_base", key, "cost.tiers", values, Severity.LOW, label))
    over = cost.get("context_over_200k")
    if over is not None and isinstance(over, Mapping) and _below(over, cost):
        label = f"{provider}/{model_id}"
        values = {label: {"base": _prices(cost), "below": [_prices(over)]}}
        found.append(
            _make("tier_below_base", key, "cost.context_over_200k", values, Severity.LOW, label)
        )
    return context, output, cost


def _below(tier: Mapping[str, JSON], cost: Mapping[str, JSON]) -> bool:
    """Whether a tier charges less than the base price for input or output."""
    for name in ("input", "output"):
        price: Any = tier.get(name)
        base: Any = cost.get(name)
        if type(price) in _NUMBER and type(base) in _NUMBER and price < base:
            return True
    return False


def _prices(cost: Mapping[str, JSON]) -> dict[str, JSON]:
    return {name: cost[name] for name in ("input", "output") if name in cost}


def _tier_view(tier: Mapping[str, JSON]) -> dict[str, JSON]:
    view = _prices(tier)
    spec = tier.get("tier")
    if isinstance(spec, Mapping) and "size" in spec:
        view["size"] = spec["size"]
    return view


# -- Group checks ----------------------------------------------------------------------------

_CAPABILITIES = (
    ("tool_call", Severity.MEDIUM),
    ("reasoning", Severity.LOW),
    ("attachment", Severity.LOW),
    ("structured_output", Severity.LOW),
)


class _Group:
    """A group's members, records and single-pass rows side by side; labels built on first use.

    Members come sorted by label from ``group_by_identity``, so values need no sorting.
    """

    __slots__ = ("_labels", "key", "members", "records", "rows")

    def __init__(
        self, key: str, members: list[tuple[str, str]], records: list[Record], rows: list[_Row]
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
        kind: str,
        field_: str,
        column: list[JSON],
        keep: list[bool],
        severity: Severity,
    ) -> None:
        labels = self.labels
        values = {label: value for label, value, k in zip(labels, column, keep, strict=True) if k}
        found.append(_make(kind, self.key, field_, values, severity, self.key, presorted=True))


def _check_group(
    group: _Group, free: frozenset[str], settings: ConsistencySettings, found: list[Inconsistency]
) -> None:
    """Each check first tests cheaply (a set, a count) whether its column agrees: most do."""
    records = group.records
    for index, name in enumerate(("context", "output")):
        column = [row[index] for row in group.rows]
        if _distinct(column) > 1:
            _check_window(group, column, name, settings, found)
    modalities = [_section(record, "modalities") for record in records]
    for direction, severity in (("input", Severity.LOW), ("output", Severity.MEDIUM)):
        column = [m.get(direction) if m is not None else None for m in modalities]
        if column.count(column[0]) != len(column):
            _check_modalities(group, column, direction, severity, found)
    for name, severity in _CAPABILITIES:
        column = [record.get(name) for record in records]
        if True in column and False in column:  # then keep only real booleans
            keep = [type(value) is bool for value in column]
            if len({value for value, k in zip(column, keep, strict=True) if k}) > 1:
                group.add(found, "capability_mismatch", name, column, keep, severity)
    column = [record.get("knowledge") for record in records]
    if _distinct(column) > 1:
        _check_knowledge(group, column, found)
    # :free variants and free providers take no part in price comparisons (_free_providers).
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


def _check_window(
    group: _Group,
    column: list[JSON],
    name: str,
    settings: ConsistencySettings,
    found: list[Inconsistency],
) -> None:
    keep = [type(value) in _NUMBER and value > 0 for value in column]  # 0 = none published
    numbers = [value for value, k in zip(column, keep, strict=True) if k]
    if len(numbers) < 2:
        return
    low, high = min(numbers), max(numbers)
    if high - low <= settings.context_tolerance * high:
        return
    severity = Severity.HIGH if high >= settings.window_high_ratio * low else Severity.MEDIUM
    group.add(found, "limit_mismatch", f"limit.{name}", column, keep, severity)


def _check_modalities(
    group: _Group,
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
        group.add(found, "modality_mismatch", f"modalities.{direction}", as_sets, keep, severity)


def _month(value: JSON) -> int | None:
    """``YYYY-MM`` or ``YYYY-MM-DD`` as a month count; None if it is not a date."""
    if type(value) is not str or len(value) < 7 or value[4] != "-":
        return None
    year, month = value[:4], value[5:7]
    if not (year.isdigit() and month.isdigit()):
        return None
    return int(year) * 12 + int(month) - 1


def _check_knowledge(group: _Group, column: list[JSON], found: list[Inconsistency]) -> None:
    """Cutoffs compared by month: ``2024-04`` and ``2024-04-01`` agree."""
    months = [_month(value) for value in column]
    distinct = {month for month in months if month is not None}
    if len(distinct) > 1:
        severity = Severity.LOW if max(distinct) - min(distinct) > 12 else Severity.INFO
        keep = [month is not None for month in months]
        group.add(found, "knowledge_mismatch", "knowledge", column, keep, severity)


def _check_price(
    group: _Group,
    column: list[JSON],
    name: str,
    settings: ConsistencySettings,
    found: list[Inconsistency],
) -> None:
    """Spread of positive prices around the group median; 0 is ``zero_price_in_paid_group``."""
    keep = [type(value) in _NUMBER and value > 0 for value in column]
    numbers = [value for value, k in zip(column, keep, strict=True) if k]
    # Every price lies between min and max, and so does the median: below this, no ratio can.
    if len(numbers) < 2 or max(numbers) < settings.price_ratio * min(numbers):
        return
    worst = _worst_ratio(numbers)
    if worst >= settings.unit_error_ratio:
        group.add(found, "price_unit_error", f"cost.{name}", column, keep, Severity.HIGH)
    elif worst >= settings.price_ratio:
        severity = Severity.HIGH if worst >= settings.high_price_ratio else Severity.MEDIUM
        group.add(found, "price_spread", f"cost.{name}", column, keep, severity)


def _worst_ratio(numbers: Sequence[float]) -> float:
    """How far the farthest price is from the median, as a factor >= 1 (either direction)."""
    median = statistics.median(numbers)
    return max(max(n / median, median / n) for n in numbers)


def _check_zero_price(
    group: _Group, costs: list[Mapping[str, JSON] | None], found: list[Inconsistency]
) -> None:
    """0/0 offerings in a group where more offerings charge than not.

    "More charge than not" rather than "all others charge": two providers that both forgot a
    price are both reported. ``costs`` already leaves out free variants and free providers.
    """
    zero = [cost is not None and _zero_priced(cost) for cost in costs]
    if not any(zero):
        return
    charging = {
        label: _prices(cost)
        for label, cost, z in zip(group.labels, costs, zero, strict=True)
        if cost is not None and not z
    }
    if len(charging) <= sum(zero):
        return
    for label, cost, z in zip(group.labels, costs, zero, strict=True):
        if z and cost is not None:
            values: dict[str, JSON] = {**charging, label: _prices(cost)}
            found.append(
                _make("zero_price_in_paid_group", group.key, "cost", values, Severity.MEDIUM, label)
            )
