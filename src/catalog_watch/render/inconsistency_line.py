"""Inconsistencies in words: ``limit.context varies: 131072 (a/x, b/y), 65536 (c/z)``.

Kept apart from the checks in ``analysis/consistency*.py``: the words are needed only by the
renderers. :func:`inconsistency_line` is the one line every report, summary and card writes for a
finding (``[high] gpt-4o: limit.context varies: ...``); :func:`describe` is its words alone.

The site reads findings back from the ledger, a file others may edit: values not of the shape
a kind's check writes get :func:`_describe_other`'s words instead of a traceback.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Mapping
from typing import Any, Literal

from catalog_watch.analysis.consistency_offering import zero_priced
from catalog_watch.inert.markdown import code, text
from catalog_watch.model.catalog import JSON
from catalog_watch.model.inconsistency import Inconsistency, InconsistencyKind
from catalog_watch.model.json_text import as_float, is_number
from catalog_watch.render.values import money, tokens

__all__ = ["Markup", "describe", "inconsistency_line"]


def _fmt(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".6g")
    if isinstance(value, list):
        return "+".join(_fmt(v) for v in value) or "none"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items()) or "none"
    return str(value)


Fmt = Callable[[JSON, str], str]
"""(value, the dotted field it is a value of) → its words."""


def _plain(value: JSON, _field: str) -> str:
    return _fmt(value)


def _units(value: JSON, field: str) -> str:
    """Prices as ``$2.50``, token counts as ``131,072`` (``render.values``), keys walked down."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_units(v, f'{field}.{k}')}" for k, v in value.items()) or "none"
    if isinstance(value, list):
        return "; ".join(_units(v, field) for v in value) or "none"
    if as_float(value) is not None:
        if field.startswith("limit.") or field.endswith(("threshold", "tokens", "context")):
            return tokens(value)
        if field.startswith("cost"):
            return money(value)
    return _fmt(value)


def _sort_key(value: JSON) -> tuple[int, float, str]:
    number = as_float(value)
    if number is not None:
        return 0, -number, ""
    return 1, 0.0, json.dumps(value, sort_keys=True)


def _describe_varies(item: Inconsistency, fmt: Fmt = _plain) -> str:
    if not item.values:
        return _describe_other(item)
    buckets: dict[str, tuple[JSON, list[str]]] = {}
    for label, value in item.values.items():
        token = json.dumps(value, sort_keys=True)
        buckets.setdefault(token, (value, []))[1].append(label)
    ordered = sorted(buckets.values(), key=lambda b: (-len(b[1]), _sort_key(b[0])))
    parts = ", ".join(f"{fmt(value, item.field)} ({_some(labels)})" for value, labels in ordered)
    return f"{item.field} varies: {parts}"


def _some(labels: list[str]) -> str:
    """Up to ``_DESCRIBE_LABELS`` labels, then a count: one line stays readable for big groups."""
    if len(labels) <= _DESCRIBE_LABELS:
        return ", ".join(labels)
    shown = ", ".join(labels[: _DESCRIBE_LABELS - 1])
    return f"{shown} and {len(labels) - _DESCRIBE_LABELS + 1} more"


_DESCRIBE_LABELS = 4


def _describe_price(item: Inconsistency, fmt: Fmt = _plain) -> str:
    """The spread, and the farthest price from the median of the positive ones (the only ones
    the check compares: a ratio to 0 or a negative price means nothing)."""
    numbers = {label: n for label, v in item.values.items() if (n := as_float(v)) and n > 0}
    if len(numbers) < 2:  # a median of one price is that price: nothing is off
        return _describe_varies(item, fmt)
    median = statistics.median(numbers.values())
    label = max(numbers, key=lambda lb: _off(numbers[lb], median))
    ratio = _off(numbers[label], median)
    if not math.isfinite(ratio):  # prices near a float's ends: no factor to tell
        return _describe_varies(item, fmt)
    suffix = "unit error suspected" if item.kind == InconsistencyKind.PRICE_UNIT_ERROR else "spread"
    return (
        f"{_describe_varies(item, fmt)}; median {fmt(median, item.field)}, {label} is "
        f"{ratio:.0f}x off ({suffix})"
    )


def _off(price: float, median: float) -> float:
    """How far a price is from the median, as a factor >= 1 either way (both positive)."""
    return max(price / median, median / price)


def _one(item: Inconsistency) -> tuple[str, Mapping[str, Any]] | None:
    """The one offering and its object, as a check of one offering writes them; else None."""
    if len(item.values) != 1:
        return None
    ((label, value),) = item.values.items()
    return (label, value) if isinstance(value, Mapping) else None


def _two_numbers(item: Inconsistency, first: str, second: str) -> tuple[str, JSON, JSON] | None:
    """The one offering and the two numbers its object names; else None."""
    found = _one(item)
    if found is None:
        return None
    label, value = found
    a, b = value.get(first), value.get(second)
    return (label, a, b) if is_number(a) and is_number(b) else None


def _describe_output(item: Inconsistency, fmt: Fmt = _plain) -> str:
    found = _two_numbers(item, "output", "context")
    if found is None:
        return _describe_other(item)
    label, output, context = found
    return (
        f"limit.output {fmt(output, 'limit.output')} exceeds limit.context "
        f"{fmt(context, 'limit.context')} on {label}"
    )


def _describe_cache(item: Inconsistency, fmt: Fmt = _plain) -> str:
    found = _two_numbers(item, "cache_read", "input")
    if found is None:
        return _describe_other(item)
    label, cache_read, price_in = found
    return (
        f"cost.cache_read {fmt(cache_read, 'cost.cache_read')} is above cost.input "
        f"{fmt(price_in, 'cost.input')} on {label}"
    )


def _describe_zero(item: Inconsistency, fmt: Fmt = _plain) -> str:
    if not all(isinstance(value, Mapping) for value in item.values.values()):
        return _describe_other(item)
    free = [label for label, value in item.values.items() if zero_priced(value)]
    paid = [
        f"{label} {fmt(value, 'cost')}"
        for label, value in item.values.items()
        if not zero_priced(value)
    ]
    if not free or not paid:
        return _describe_other(item)
    return f"{', '.join(free)} is priced 0/0 while the group is paid: {'; '.join(paid)}"


def _describe_tier(item: Inconsistency, fmt: Fmt = _plain) -> str:
    found = _one(item)
    if found is None or not _is_tiers(found[1]):
        return _describe_other(item)
    label, value = found
    below = "; ".join(fmt(t, "cost") for t in value["below"])
    base = fmt(value["base"], "cost")
    return f"{item.field} below the base price ({base}) on {label}: {below}"


def _is_tiers(value: Mapping[str, Any]) -> bool:
    """A base price object and a non-empty list of the tier price objects below it."""
    below = value.get("below")
    return (
        isinstance(value.get("base"), Mapping)
        and isinstance(below, list)
        and bool(below)
        and all(isinstance(tier, Mapping) for tier in below)
    )


def _describe_other(item: Inconsistency) -> str:
    """Words for values not of the shape the kind's check writes (a damaged or hand-edited
    ledger line): the field, the kind and the offerings, so the finding is still told."""
    field = f"{item.field}: " if item.field else ""
    offerings = _some(list(item.values)) or "no offering"
    return f"{field}{item.kind.value.replace('_', ' ')} on {offerings} (values unreadable)"


def describe(item: Inconsistency, *, units: bool = False) -> str:
    """One line in words, e.g. ``limit.context varies: 131072 (a/x, b/y), 65536 (c/z)``; with
    ``units``, prices and token counts as people read them (``131,072``, ``$2.50``)."""
    return _DESCRIBE.get(item.kind, _describe_varies)(item, _units if units else _plain)


_DESCRIBE: dict[InconsistencyKind, Callable[[Inconsistency, Fmt], str]] = {
    InconsistencyKind.PRICE_SPREAD: _describe_price,
    InconsistencyKind.PRICE_UNIT_ERROR: _describe_price,
    InconsistencyKind.OUTPUT_EXCEEDS_CONTEXT: _describe_output,
    InconsistencyKind.CACHE_READ_ABOVE_INPUT: _describe_cache,
    InconsistencyKind.ZERO_PRICE_IN_PAID_GROUP: _describe_zero,
    InconsistencyKind.TIER_BELOW_BASE: _describe_tier,
}
"""The kinds whose words are not "<field> varies: ..."; the others all read that way."""

Markup = Literal["text", "markdown"]
"""``text``: a terminal line (``inert.terminal`` escapes it when the lines are joined);
``markdown``: a list item, the words escaped for markdown."""


def inconsistency_line(item: Inconsistency, markup: Markup = "text", *, model: bool = True) -> str:
    """One finding as one line: ``[high] gpt-4o: limit.context varies: ...`` or, in markdown,
    ``- **high** `gpt-4o`: limit.context varies: ...``. ``model=False`` leaves the group key out
    where the page is about that one model already (``catalog-watch show``)."""
    severity, words = item.severity.value, describe(item)
    if markup == "text":
        subject = f"{item.model}: " if model else ""
        return f"[{severity}] {subject}{words}"
    subject = f"{code(item.model)}: " if model else ""
    return f"- **{severity}** {subject}{text(words)}"
