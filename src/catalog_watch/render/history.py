"""Effective-dated history and "price on a day" as text, JSON or CSV.

Text groups periods by provider, model and field, one line per period::

    google / gemini-3.1-flash-image-preview
      cost.input
        2026-03-10 → 2026-06-28  $0.25
        2026-06-28 → now         $0.50

``…`` starts a period that began before the history did; a time of day is shown only when it is
not midnight UTC. JSON and CSV carry the full UTC stamps, with an empty ``from``/``to`` (CSV) or
null (JSON) for the open ends.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from catalog_watch.analysis.history import PRICE_KEYS, Period, period_key
from catalog_watch.inert.spreadsheet import cell
from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import json_output
from catalog_watch.render.values import money, plain, tokens

HISTORY_FORMATS = ("text", "json", "csv")
PriceRow = tuple[str, str, dict[str, JSON]]


def render_history(periods: Iterable[Period], fmt: str = "text", why: str | None = None) -> str:
    """``why`` (see ``history_query.Answer``) follows "no history matches" when there is none."""
    ordered = sorted(periods, key=period_key)
    if fmt == "json":
        return _json({"history": [p.to_json() for p in ordered]})
    if fmt == "csv":
        rows = [[p.provider, p.model, p.field, _cell(p.value), p.start, p.end] for p in ordered]
        return _csv(["provider", "model", "field", "value", "from", "to"], rows)
    if fmt != "text":
        raise ValueError(f"unknown history format {fmt!r}: expected one of {HISTORY_FORMATS}")
    if not ordered:
        return terminal_lines([f"no history matches: {why}" if why else "no history matches"])
    width = max(len(_day(p.start, "…")) for p in ordered)
    end_width = max(len(_day(p.end, "now")) for p in ordered)
    lines: list[str] = []
    offering: tuple[str, str] | None = None
    field: str | None = None
    for p in ordered:
        if (p.provider, p.model) != offering:
            offering, field = (p.provider, p.model), None
            lines += [""] if lines else []
            lines.append(f"{p.provider} / {p.model}")
        if p.field != field:
            field = p.field
            lines.append(f"  {field}")
        span = f"{_day(p.start, '…'):<{width}} → {_day(p.end, 'now'):<{end_width}}"
        lines.append(f"    {span}  {_shown(p.field, p.value)}")
    return terminal_lines(lines)


def render_price_at(
    rows: Sequence[PriceRow],
    model: str,
    when: str | date | datetime,
    fmt: str = "text",
    *,
    why: str | None = None,
    note: str | None = None,
) -> str:
    """``price_at``'s rows: one per provider offering ``model`` at ``when``; in text, ``why``
    there are none and a ``note`` under the table (``history_query.PriceAnswer``)."""
    at = when if isinstance(when, str) else when.isoformat()
    extra = sorted({key for _, _, prices in rows for key in prices} - set(PRICE_KEYS))
    keys = [*PRICE_KEYS, *extra]
    if fmt == "json":
        prices = [{"provider": p, "model": m, "cost": dict(c)} for p, m, c in rows]
        return _json({"model": model, "at": at, "prices": prices})
    if fmt == "csv":
        table = [[p, m, *(_cell(c.get(k)) for k in keys)] for p, m, c in rows]
        return _csv(["provider", "model", *keys], table)
    if fmt != "text":
        raise ValueError(f"unknown price format {fmt!r}: expected one of {HISTORY_FORMATS}")
    if not rows:
        said = f"no provider offered {model} on {at}"
        return terminal_lines([f"{said}: {why}" if why else said])
    header = ["provider", "model", *(key.removeprefix("cost.") for key in keys)]
    table = [[p, m, *(_price(c.get(k)) for k in keys)] for p, m, c in rows]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    lines = [f"{model} on {at} (USD per 1M tokens)"]
    for row in [header, *table]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if any(c.get(k) is None for _, _, c in rows for k in keys):
        lines.append("-: no such price")
    return terminal_lines([*lines, f"note: {note}"] if note else lines)


def _day(stamp: str | None, open_end: str) -> str:
    """``2026-03-10`` at midnight UTC, ``2026-11-25 10:17`` otherwise."""
    if stamp is None:
        return open_end
    day, _, clock = stamp.rstrip("Z").partition("T")
    return day if clock in ("", "00:00:00") else f"{day} {clock[:5]}"


def _shown(field: str, value: JSON) -> str:
    if field.startswith("cost."):
        return money(value)
    return tokens(value) if field.startswith("limit.") else plain(value)


def _price(value: JSON) -> str:
    return "-" if value is None else money(value)


def _cell(value: JSON) -> str:
    """A CSV cell: text as is, numbers and the rest as JSON, absent as empty."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _json(value: JSON) -> str:
    return json_output(value)


def _csv(header: list[str], rows: Iterable[Sequence[str | None]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([None if value is None else cell(value) for value in row] for row in rows)
    return out.getvalue()
