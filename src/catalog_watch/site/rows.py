"""One ledger record → the cells of one table row, in the words every other output uses.

Prices read through ``render.values.money`` (``$60.00 → $3.00``), percents through ``percent``
(``-95 %``), the direction through ``arrow`` (▲ ▼ •), limits through ``tokens``; an
inconsistency reads as ``consistency_text.describe`` words it, with the same units
(``131,072``, ``$2.50``). Cells are plain text here: the page escapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from catalog_watch.model.catalog import JSON
from catalog_watch.render.inconsistency_line import describe as words
from catalog_watch.render.values import arrow, money, percent, plain, tokens
from catalog_watch.site.runs import APPEARED, RESOLVED, Record, change_of, finding_of

MAX_VALUE = 120
"""Longest rendering of one side of a change (lists and objects can be long); the ledger has it
whole."""

KeyOf = Callable[[str, str], str]
"""(provider, model id) → the model's group key."""


@dataclass(frozen=True, slots=True)
class Row:
    kind: str
    provider: str  # empty for an inconsistency (it is about a group)
    model: str  # as the record spells it: a provider's model id, or a group key
    key: str | None  # the group key of the model page, None for provider-level records
    field: str
    change: str
    pct: str
    severity: str
    arrow: str

    @property
    def direction(self) -> str:
        return {"▲": "up", "▼": "down"}.get(self.arrow, "none")


def row_of(record: Record, key_of: KeyOf) -> Row:
    kind = str(record.get("kind") or "")
    provider = _text(record.get("provider"))
    model = _text(record.get("model"))
    field = _text(record.get("field"))
    change = change_of(record)
    if kind in (APPEARED, RESOLVED):
        field = f"{field} ({_text(record.get('inconsistency_kind'))})"
    return Row(
        kind=kind,
        provider=provider,
        model=model,
        key=record_key(record, key_of),
        field=field,
        change=describe(record),
        pct=percent(change.change_pct) if change is not None else "",
        severity=_text(record.get("severity")),
        arrow=arrow(change) if change is not None else "•",
    )


def record_key(record: Record, key_of: KeyOf) -> str | None:
    """The group key of the model a record is about; None for a provider-level record.

    Inconsistencies and ``cheapest_changed`` name the group key already; the others name one
    provider's model id."""
    kind, provider, model = record.get("kind"), _text(record.get("provider")), record.get("model")
    if not isinstance(model, str) or not model:
        return None
    if kind in (APPEARED, RESOLVED, "cheapest_changed"):
        return model
    return key_of(provider, model)


def describe(record: Record) -> str:
    """The change in words, without provider, model or field."""
    kind, old, new = record.get("kind"), record.get("old"), record.get("new")
    if kind in (APPEARED, RESOLVED):
        finding = finding_of(record)
        text = words(finding, units=True) if finding is not None else _short(record.get("values"))
        return f"{'appeared' if kind == APPEARED else 'resolved'}: {text}"
    if kind == "price_changed":
        return f"{money(old)} → {money(new)}"
    if kind == "limit_changed":
        return f"{tokens(old)} → {tokens(new)}"
    if kind in ("model_added", "model_removed"):
        record_value = new if kind == "model_added" else old
        verb = "added" if kind == "model_added" else "removed"
        return verb + _prices(record_value)
    if kind in ("provider_added", "provider_removed"):
        return "provider " + ("added" if kind == "provider_added" else "removed")
    text = f"{_short(old)} → {_short(new)}"
    if kind == "modality_changed":
        change = change_of(record)
        if change is not None:
            parts = [f"+{m}" for m in change.added] + [f"-{m}" for m in change.removed]
            text += f" ({', '.join(parts)})" if parts else ""
    return text


def _prices(record: JSON) -> str:
    cost = record.get("cost") if isinstance(record, Mapping) else None
    if not isinstance(cost, Mapping) or ("input" not in cost and "output" not in cost):
        return ""
    return f": input {money(cost.get('input'))}, output {money(cost.get('output'))} per 1M"


def _short(value: JSON) -> str:
    text = plain(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _text(value: JSON) -> str:
    return value if isinstance(value, str) else ""
