"""The deprecation calendar in words: ``catalog-watch deprecations`` (text, markdown, JSON) and
the line a retirement alert says.

Each retirement reads its date, the offering, how far the date is from ``today`` ("in 12
days", "3 days ago"), the source that gave the date and, with ``--used``, where the code uses
it. Catalog and code text go through ``inert/`` (one line on a terminal, defused in markdown).
A date a catalog gave that is not a usable ``YYYY-MM-DD`` day is named, quoted, where the date
would be told (``unusable date "2026-02-30"``), in every format; JSON has it as
``unusable_date``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from catalog_watch.analysis.deprecations import DEPRECATED, Retirement
from catalog_watch.inert.markdown import code
from catalog_watch.inert.markdown import text as cell
from catalog_watch.inert.terminal import lines as terminal_lines
from catalog_watch.model.catalog import JSON
from catalog_watch.model.json_text import json_key, json_output
from catalog_watch.render.values import count

__all__ = [
    "DEPRECATION_FORMATS",
    "Places",
    "alert_words",
    "offering_name",
    "render_deprecations",
    "unusable_words",
]

DEPRECATION_FORMATS = ("text", "markdown", "json")
Places = Mapping[tuple[str, str], tuple[str, ...]]
"""(provider, model id) → where the code uses it (``src/agent.py:42``)."""

_SHOWN_PLACES = 3
_SOURCE_NAMES = {"models.dev": "models.dev", "litellm": "LiteLLM", "openrouter": "OpenRouter"}


def render_deprecations(
    items: Sequence[Retirement], fmt: str, *, today: date, places: Places | None = None
) -> str:
    """The calendar in ``fmt``; ``places`` (``--used``) adds where each offering is used."""
    if fmt == "json":
        return _json(items, today, places)
    if fmt == "markdown":
        return _markdown(items, today, places)
    if fmt == "text":
        return _text(items, today, places)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(DEPRECATION_FORMATS)}")


def offering_name(item: Retirement) -> str:
    """``provider/model``; a LiteLLM key that already starts with its provider is shown alone
    (``azure/gpt-4o-2024-08-06``, not ``azure/azure/...``)."""
    if item.model_id.lower().startswith(item.provider.lower() + "/"):
        return item.model_id
    return item.label


def source_name(source: str) -> str:
    return _SOURCE_NAMES.get(source, source)


def when(item: Retirement, today: date) -> str:
    """``retires in 12 days``, ``retired 3 days ago``, ``deprecated (first seen 2026-05-01)``,
    ``unusable date "2026-02-30"``."""
    if item.unusable is not None:
        return f"unusable date {json_key(item.unusable)}"
    if item.date is None:
        return "deprecated now (no date given)"
    if item.first_seen:
        return f"deprecated (first seen {item.date.isoformat()})"
    days = (item.date - today).days
    if days > 0:
        return f"retires in {count(days, 'day', 'days')}"
    if days == 0:
        return "retires today"
    return f"retired {count(-days, 'day', 'days')} ago"


def alert_words(item: Retirement, lead: int, today: date) -> str:
    """A retirement reminder, after the offering's name: ``retires on 2026-06-01, in 7 days
    (LiteLLM's date; 7-day notice)`` (where the code uses it is the alert's ``used_in``)."""
    retires = item.announced or today
    notice = "same-day notice" if lead == 0 else f"{lead}-day notice"
    days = (retires - today).days
    left = "today" if days <= 0 else f"in {count(days, 'day', 'days')}"
    return f"retires on {retires.isoformat()}, {left} ({source_name(item.source)}'s date; {notice})"


def unusable_words(item: Retirement) -> str:
    """Why an offering with an unusable date is not in the ``.ics``: ``openai/d0: LiteLLM's
    date "2026-02-30" is not a YYYY-MM-DD day from 2000 on; left out of the calendar feed``."""
    return (
        f"{offering_name(item)}: {source_name(item.source)}'s date "
        f"{json_key(item.unusable)} is not a YYYY-MM-DD day from 2000 on; "
        "left out of the calendar feed"
    )


def _used(places: Sequence[str]) -> str:
    if not places:
        return ""
    shown = ", ".join(places[:_SHOWN_PLACES])
    rest = len(places) - _SHOWN_PLACES
    return f"; used in {shown}" + (f" and {rest:,} more" if rest > 0 else "")


def _headline(items: Sequence[Retirement], today: date) -> str:
    dated = [item for item in items if item.announced is not None]
    ahead = sum(1 for item in dated if item.announced and item.announced >= today)
    unusable = sum(1 for item in items if item.unusable is not None)
    undated = len(items) - len(dated) - unusable
    words = (
        f"{count(len(items), 'retirement', 'retirements')} as of {today.isoformat()}: "
        f"{ahead:,} ahead, {len(dated) - ahead:,} past, "
        f"{undated:,} deprecated without a retirement date"
    )
    return words + (f", {unusable:,} with an unusable date" if unusable else "")


def _places_of(item: Retirement, places: Places | None) -> tuple[str, ...]:
    return () if places is None else places.get((item.provider, item.model_id), ())


# -- text --------------------------------------------------------------------------------------


def _text(items: Sequence[Retirement], today: date, places: Places | None) -> str:
    rows = [_headline(items, today)]
    for item in items:
        day = item.date.isoformat() if item.date and not item.first_seen else "-" * 10
        told = item.announced or item.unusable is not None
        status = " [deprecated]" if item.status == DEPRECATED and told else ""
        source = source_name(item.source)
        line = f"{day}  {offering_name(item)}  {when(item, today)}{status} ({source})"
        rows.append(line + _used(_places_of(item, places)))
    return terminal_lines(rows)


# -- markdown ----------------------------------------------------------------------------------


def _markdown(items: Sequence[Retirement], today: date, places: Places | None) -> str:
    rows = [
        "## Deprecation calendar",
        "",
        cell(_headline(items, today)),
        "",
        "| date | offering | when | source | status | used in |",
        "|---|---|---|---|---|---|",
    ]
    for item in items:
        day = item.date.isoformat() if item.date else "-"
        used = "<br>".join(code(place) for place in _places_of(item, places))
        cells = [day, code(offering_name(item)), cell(when(item, today))]
        cells += [cell(source_name(item.source)), cell(item.status), used]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


# -- JSON --------------------------------------------------------------------------------------


def _json(items: Sequence[Retirement], today: date, places: Places | None) -> str:
    listed: list[JSON] = []
    for item in items:
        entry = item.to_json()
        if places is not None:
            entry["used_at"] = list(_places_of(item, places))
        listed.append(entry)
    return json_output({"today": today.isoformat(), "retirements": listed})
