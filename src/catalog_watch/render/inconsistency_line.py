"""Inconsistencies in words: ``limit.context varies: 131072 (a/x, b/y), 65536 (c/z)``.

Kept apart from the checks in ``analysis/consistency*.py``: the words are needed only by the
renderers. :func:`inconsistency_line` is the one line every report, summary and card writes for a
finding (``[high] gpt-4o: limit.context varies: ...``); :func:`describe` is its words alone.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Mapping
from typing import Any, Literal

from catalog_watch.inert.markdown import code, text
from catalog_watch.model.catalog import JSON
from catalog_watch.model.inconsistency import Inconsistency, InconsistencyKind
from catalog_watch.model.json_text import is_number
from catalog_watch.render.values import money, tokens

__all__ = ["Markup", "describe", "inconsistency_line"]


def _number(value: JSON) -> float | None:
    """A JSON number as a float; ``True`` is not 1 here."""
    return float(value) if is_number(value) else None


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


Fmt = Callable[[JSON, str], str]
"""(value, the dotted field it is a value of) → its words."""


def _plain(value: JSON, _field: str) -> str:
    return _fmt(value)


def _units(value: JSON, field: str) -> str:
    """Prices as ``$2.50``, token counts as ``131,072`` (``render.values``), keys walked down."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_units(v, f'{field}.{k}')}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_units(v, field) for v in value) or "none"
    if _number(value) is not None:
        if field.startswith("limit.") or field.endswith(("threshold", "tokens", "context")):
            return tokens(value)
        if field.startswith("cost"):
            return money(value)
    return _fmt(value)


def _sort_key(value: JSON) -> tuple[int, float, str]:
    number = _number(value)
    if number is not None:
        return 0, -number, ""
    return 1, 0.0, json.dumps(value, sort_keys=True)


def _describe_varies(item: Inconsistency, fmt: Fmt = _plain) -> str:
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
    numbers = {label: n for label, v in item.values.items() if (n := _number(v))}
    if not numbers:
        return _describe_varies(item, fmt)
    median = statistics.median(numbers.values())
    label = max(numbers, key=lambda lb: max(numbers[lb] / median, median / numbers[lb]))
    ratio = max(numbers[label] / median, median / numbers[label])
    suffix = "unit error suspected" if item.kind == InconsistencyKind.PRICE_UNIT_ERROR else "spread"
    return (
        f"{_describe_varies(item, fmt)}; median {fmt(median, item.field)}, {label} is "
        f"{ratio:.0f}x off ({suffix})"
    )


def _one(item: Inconsistency) -> tuple[str, dict[str, Any]]:
    label, value = next(iter(item.values.items()))
    return label, value if isinstance(value, dict) else {}


def _describe_output(item: Inconsistency, fmt: Fmt = _plain) -> str:
    label, value = _one(item)
    return (
        f"limit.output {fmt(value.get('output'), 'limit.output')} exceeds limit.context "
        f"{fmt(value.get('context'), 'limit.context')} on {label}"
    )


def _describe_cache(item: Inconsistency, fmt: Fmt = _plain) -> str:
    label, value = _one(item)
    return (
        f"cost.cache_read {fmt(value.get('cache_read'), 'cost.cache_read')} is above cost.input "
        f"{fmt(value.get('input'), 'cost.input')} on {label}"
    )


def _is_paid(value: JSON) -> bool:
    return isinstance(value, Mapping) and any(_number(v) for v in value.values())


def _describe_zero(item: Inconsistency, fmt: Fmt = _plain) -> str:
    free = [label for label, value in item.values.items() if not _is_paid(value)]
    paid = [
        f"{label} {fmt(value, 'cost')}" for label, value in item.values.items() if _is_paid(value)
    ]
    return f"{', '.join(free)} is priced 0/0 while the group is paid: {'; '.join(paid)}"


def _describe_tier(item: Inconsistency, fmt: Fmt = _plain) -> str:
    label, value = _one(item)
    below = "; ".join(fmt(t, "cost") for t in value.get("below", []))
    base = fmt(value.get("base"), "cost")
    return f"{item.field} below the base price ({base}) on {label}: {below}"


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
