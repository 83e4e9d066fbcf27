"""The checks of one offering on its own (a record that contradicts itself), and the small
readers of record sections every check shares. Kinds and severities: ``consistency.py``.

Written for speed (the whole 2026-06 catalog in a few tens of milliseconds): each check pulls
one value out of the record and only builds labels and values once it has found a
contradiction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from catalog_watch.model.catalog import JSON, Record
from catalog_watch.model.inconsistency import Inconsistency, InconsistencyKind
from catalog_watch.model.json_text import NUMBER, is_number
from catalog_watch.model.severity import Severity

__all__ = [
    "NUMBER",
    "Row",
    "check_offering",
    "is_number",
    "make",
    "prices",
    "section",
    "zero_priced",
]


def section(record: Mapping[str, JSON], name: str) -> Mapping[str, JSON] | None:
    """``record[name]`` when it is a table, else None."""
    value = record.get(name)
    if value is None:
        return None
    if type(value) is dict or isinstance(value, Mapping):
        return value
    return None


def zero_priced(cost: Mapping[str, JSON]) -> bool:
    """Listed as free (0/0). No ``cost`` at all is an unknown price, not a free one."""
    price_in: Any = cost.get("input")
    if price_in != 0 or type(price_in) not in NUMBER:  # most prices: the first test says no
        return False
    price_out: Any = cost.get("output")
    return price_out == 0 and type(price_out) in NUMBER


def prices(cost: Mapping[str, JSON]) -> dict[str, JSON]:
    return {name: cost[name] for name in ("input", "output") if name in cost}


def make(
    kind: InconsistencyKind,
    key: str,
    field_: str,
    values: Mapping[str, JSON],
    severity: Severity,
    subject: str,
    *,
    presorted: bool = False,
) -> Inconsistency:
    """The finding, with its stable id ``"<kind>:<subject>:<field>"`` and values sorted by label."""
    return Inconsistency(
        id=f"{kind}:{subject}:{field_}",
        kind=kind,
        model=key,
        field=field_,
        values=values if presorted else {label: values[label] for label in sorted(values)},
        severity=severity,
    )


Row = tuple[JSON, JSON, Mapping[str, JSON] | None]
"""What the group checks reuse from the single-offering pass: context, output, cost block."""


def check_offering(
    key: str, provider: str, model_id: str, record: Record, found: list[Inconsistency]
) -> Row:
    """Append what contradicts itself in one offering to ``found``; return its :data:`Row`."""
    context: Any = None
    output: Any = None
    limit: Any = record.get("limit")  # section(record, "limit"), written out: every offering
    if limit is not None and (type(limit) is dict or isinstance(limit, Mapping)):
        context = limit.get("context")
        output = limit.get("output")
        # A context of 0 publishes no window, so nothing can exceed it.
        if type(context) in NUMBER and type(output) in NUMBER and 0 < context < output:
            label = f"{provider}/{model_id}"
            values = {label: {"context": context, "output": output}}
            kind = InconsistencyKind.OUTPUT_EXCEEDS_CONTEXT
            found.append(make(kind, key, "limit.output", values, Severity.MEDIUM, label))
    cost: Any = record.get("cost")
    if cost is None or not (type(cost) is dict or isinstance(cost, Mapping)):
        return context, output, None
    price_in: Any = cost.get("input")
    cache_read: Any = cost.get("cache_read")
    if type(cache_read) in NUMBER and type(price_in) in NUMBER and cache_read > price_in:
        label = f"{provider}/{model_id}"
        values = {label: {"input": price_in, "cache_read": cache_read}}
        kind = InconsistencyKind.CACHE_READ_ABOVE_INPUT
        found.append(make(kind, key, "cost.cache_read", values, Severity.MEDIUM, label))
    tiers = cost.get("tiers")
    if tiers and type(tiers) is list:
        below = [_tier_view(t) for t in tiers if isinstance(t, Mapping) and _below(t, cost)]
        if below:
            label = f"{provider}/{model_id}"
            values = {label: {"base": prices(cost), "below": below}}
            kind = InconsistencyKind.TIER_BELOW_BASE
            found.append(make(kind, key, "cost.tiers", values, Severity.LOW, label))
    over = cost.get("context_over_200k")
    if over is not None and isinstance(over, Mapping) and _below(over, cost):
        label = f"{provider}/{model_id}"
        values = {label: {"base": prices(cost), "below": [prices(over)]}}
        kind = InconsistencyKind.TIER_BELOW_BASE
        found.append(make(kind, key, "cost.context_over_200k", values, Severity.LOW, label))
    return context, output, cost


def _below(tier: Mapping[str, JSON], cost: Mapping[str, JSON]) -> bool:
    """Whether a tier charges less than the base price for input or output."""
    for name in ("input", "output"):
        price: Any = tier.get(name)
        base: Any = cost.get(name)
        if type(price) in NUMBER and type(base) in NUMBER and price < base:
            return True
    return False


def _tier_view(tier: Mapping[str, JSON]) -> dict[str, JSON]:
    view = prices(tier)
    spec = tier.get("tier")
    if isinstance(spec, Mapping) and "size" in spec:
        view["size"] = spec["size"]
    return view
