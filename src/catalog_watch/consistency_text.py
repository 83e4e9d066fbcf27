"""Inconsistencies in words: ``limit.context varies: 131072 (a/x, b/y), 65536 (c/z)``.

Kept apart from the checks in ``consistency.py``: the words are needed only by the renderers.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from catalog_watch.catalog import JSON

if TYPE_CHECKING:
    from catalog_watch.consistency import Inconsistency


def _number(value: JSON) -> float | None:
    """A JSON number as a float; ``True`` is not 1 here."""
    return float(value) if type(value) in (int, float) else None


def _fmt(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".6g")
    if isinstance(value, list):
        return "+".join(_fmt(v) for v in value) or "none"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    return str(value)


def _sort_key(value: JSON) -> tuple[int, float, str]:
    number = _number(value)
    if number is not None:
        return 0, -number, ""
    return 1, 0.0, json.dumps(value, sort_keys=True)


def _describe_varies(item: Inconsistency) -> str:
    buckets: dict[str, tuple[JSON, list[str]]] = {}
    for label, value in item.values.items():
        token = json.dumps(value, sort_keys=True)
        buckets.setdefault(token, (value, []))[1].append(label)
    ordered = sorted(buckets.values(), key=lambda b: (-len(b[1]), _sort_key(b[0])))
    parts = ", ".join(f"{_fmt(value)} ({_some(labels)})" for value, labels in ordered)
    return f"{item.field} varies: {parts}"


def _some(labels: list[str]) -> str:
    """Up to ``_DESCRIBE_LABELS`` labels, then a count: one line stays readable for big groups."""
    if len(labels) <= _DESCRIBE_LABELS:
        return ", ".join(labels)
    shown = ", ".join(labels[: _DESCRIBE_LABELS - 1])
    return f"{shown} and {len(labels) - _DESCRIBE_LABELS + 1} more"


_DESCRIBE_LABELS = 4


def _describe_price(item: Inconsistency) -> str:
    numbers = {label: n for label, v in item.values.items() if (n := _number(v))}
    if not numbers:
        return _describe_varies(item)
    median = statistics.median(numbers.values())
    label = max(numbers, key=lambda lb: max(numbers[lb] / median, median / numbers[lb]))
    ratio = max(numbers[label] / median, median / numbers[label])
    suffix = "unit error suspected" if item.kind == "price_unit_error" else "spread"
    return (
        f"{_describe_varies(item)}; median {_fmt(median)}, {label} is {ratio:.0f}x off ({suffix})"
    )


def _one(item: Inconsistency) -> tuple[str, dict[str, Any]]:
    label, value = next(iter(item.values.items()))
    return label, value if isinstance(value, dict) else {}


def _describe_output(item: Inconsistency) -> str:
    label, value = _one(item)
    return (
        f"limit.output {_fmt(value.get('output'))} exceeds limit.context "
        f"{_fmt(value.get('context'))} on {label}"
    )


def _describe_cache(item: Inconsistency) -> str:
    label, value = _one(item)
    return (
        f"cost.cache_read {_fmt(value.get('cache_read'))} is above cost.input "
        f"{_fmt(value.get('input'))} on {label}"
    )


def _is_paid(value: JSON) -> bool:
    return isinstance(value, Mapping) and any(_number(v) for v in value.values())


def _describe_zero(item: Inconsistency) -> str:
    free = [label for label, value in item.values.items() if not _is_paid(value)]
    paid = [f"{label} {_fmt(value)}" for label, value in item.values.items() if _is_paid(value)]
    return f"{', '.join(free)} is priced 0/0 while the group is paid: {'; '.join(paid)}"


def _describe_tier(item: Inconsistency) -> str:
    label, value = _one(item)
    below = "; ".join(_fmt(t) for t in value.get("below", []))
    return f"{item.field} below the base price ({_fmt(value.get('base'))}) on {label}: {below}"


def describe(item: Inconsistency) -> str:
    """One line in words, e.g. ``limit.context varies: 131072 (a/x, b/y), 65536 (c/z)``."""
    return _DESCRIBE.get(item.kind, _describe_varies)(item)


_DESCRIBE = {
    "price_spread": _describe_price,
    "price_unit_error": _describe_price,
    "output_exceeds_context": _describe_output,
    "cache_read_above_input": _describe_cache,
    "zero_price_in_paid_group": _describe_zero,
    "tier_below_base": _describe_tier,
}
