"""The deprecation calendar: every retirement date the catalogs give, joined onto the offerings.

Where dates come from:

* **models.dev** has no date, only ``status = "deprecated"``: the model is deprecated *now*. Its
  date is the day the ledger first saw it become deprecated (:func:`deprecated_since`), marked
  ``first_seen``; undated when the ledger does not say (a catalog file, a first run).
* **LiteLLM**'s ``deprecation_date`` (kept on the record by ``sources/litellm.py``).
* **OpenRouter**'s ``expiration_date`` (kept by ``sources/openrouter.py``). Real data holds
  placeholders (``2098-12-31`` on 2026-08-19): a date more than :data:`PLACEHOLDER_YEARS` years
  after ``today`` is read as *no date*, and an offering left with no date and no deprecated
  status has nothing to retire (it is not listed).

A date is read only in the form both sources document and use, ``YYYY-MM-DD`` (a real day:
``2026-02-30``, ``20260901``, ``2026-W36-1`` or ``2026-09-01T12:00:00Z`` are not dates), and
only from :data:`EARLIEST` on (``0001-01-01`` is a zero value, not a retirement before any
catalog existed). A date that is not read is never dropped in silence: when no source gives
the offering a usable date, its :class:`Retirement` keeps the catalog's text as ``unusable``
(no ``date``), and the report names it.

Joining: a date from LiteLLM or OpenRouter belongs to the *channel* it was given for, never to
the model everywhere (Azure retiring its ``gpt-4o-2024-08-06`` says nothing of OpenAI's). A
LiteLLM provider is read as its models.dev provider (``gemini`` → ``google``, ``bedrock_converse``
→ ``amazon-bedrock``, ``vertex_ai-*`` → ``google-vertex``; the makers through ``identity.MAKERS``,
the rest through ``usage.PROVIDER_PREFIXES``), its key loses its ``<provider>/`` prefix, and the
ids compare as ``cross_source`` compares them (lower case, a dot between digits a dash; a ``:``
variant such as ``:free`` stays its own offering). A joined date is listed on the models.dev
offering, with the source that gave it; a date with no offering to join is listed on the entry
of its own catalog. One :class:`Retirement` per offering: the earliest date wins; ``group`` is
the offering's identity group key (the inconsistencies' grouping).

Pure: catalogs, ``today`` and ledger dates come in; nothing reads the clock or a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from catalog_watch.analysis.identity import Identity, ModelIndex, maker_named
from catalog_watch.analysis.usage import PROVIDER_PREFIXES
from catalog_watch.model.catalog import JSON, Catalog, Record
from catalog_watch.model.json_text import json_value
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.model.timestamps import calendar_day
from catalog_watch.settings.defaults import DATED_SOURCES as DATED_SOURCES

__all__ = [
    "DATED_SOURCES",
    "DEPRECATED",
    "EARLIEST",
    "PLACEHOLDER_YEARS",
    "RETIRED",
    "SCHEDULED",
    "Retirement",
    "deprecated_since",
    "due_lead",
    "retirements",
]

PLACEHOLDER_YEARS = 10
"""A date further ahead than this is a placeholder (OpenRouter's ``2098-12-31``), not a plan."""
EARLIEST = date(2000, 1, 1)
"""A date before this is no model's retirement (a zero value such as ``0001-01-01``): unusable."""

DEPRECATED = "deprecated"  # a catalog marks the offering deprecated, and no date is past
RETIRED = "retired"  # its retirement date is today or past
SCHEDULED = "scheduled"  # a date ahead says it retires

Day = date  # the field ``Retirement.date`` hides the type's name inside the class

_DATE_FIELDS = {"litellm": "deprecation_date", "openrouter": "expiration_date"}
if frozenset(_DATE_FIELDS) != DATED_SOURCES:
    raise ImportError("analysis.deprecations: its date fields' sources != settings.defaults")
_VERSION_DOT = re.compile(r"(?<=\d)\.(?=\d)")
_LITELLM_ONLY = {"vercel_ai_gateway": "vercel"}  # spellings no other table has


@dataclass(frozen=True, slots=True)
class Retirement:
    """One offering's retirement.

    Attributes:
        provider, model_id: the offering (in ``catalog``).
        group: its identity group key.
        date: the retirement date; with ``first_seen``, the day the ledger first saw the
            offering deprecated (models.dev gives no date); None when nothing dates it.
        source: the catalog that gave the date (or, undated, the deprecated status).
        status: :data:`RETIRED`, :data:`DEPRECATED` or :data:`SCHEDULED`.
        catalog: the catalog the offering is listed in (``models.dev`` for a joined date).
        unusable: the date field's text when it is not a usable date and no source gives one
            (``date`` is then None); None otherwise.
    """

    provider: str
    model_id: str
    group: str
    date: date | None
    source: str
    status: str
    catalog: str
    first_seen: bool = False
    unusable: str | None = None

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.model_id}"

    @property
    def announced(self) -> Day | None:
        """The date a source announced (a first-seen day is not one): what alerts count down to."""
        return None if self.first_seen else self.date

    @property
    def sort_key(self) -> tuple[bool, Day, bool, str, str, str]:
        """By date; undated last, those with an unusable date first among them."""
        day = self.date or Day.min
        return (
            self.date is None,
            day,
            self.unusable is None,
            self.provider,
            self.model_id,
            self.source,
        )

    def to_json(self) -> dict[str, JSON]:
        extra: dict[str, JSON] = {} if self.unusable is None else {"unusable_date": self.unusable}
        return extra | {
            "provider": self.provider,
            "model": self.model_id,
            "group": self.group,
            "date": self.date.isoformat() if self.date else None,
            "first_seen": self.first_seen,
            "source": self.source,
            "status": self.status,
            "catalog": self.catalog,
        }


@dataclass(frozen=True, slots=True)
class _Found:
    """What one record says: a date (or none, or the text of an unusable one) and whether it
    is marked deprecated."""

    date: date | None
    deprecated: bool
    source: str
    unusable: str | None = None


def retirements(
    catalogs: Sequence[Catalog],
    *,
    today: date,
    seen: Mapping[tuple[str, str], date] | None = None,
    aliases: Mapping[str, str] | None = None,
    index: ModelIndex | None = None,
) -> list[Retirement]:
    """The calendar of ``catalogs`` (the first models.dev one is the one joined onto), sorted by
    date (undated last). ``seen``: ``deprecated_since`` of the primary catalog's ledger."""
    identity = Identity.of(aliases, index)
    primary = next((c for c in catalogs if c.source == "models.dev"), None)
    channels = _channels(primary) if primary is not None else {}
    found: dict[tuple[str, str, str], list[_Found]] = {}
    for catalog in catalogs:
        for provider, model_id, record in catalog.offerings():
            said = _said(catalog.source, record, today)
            if said is None:
                continue
            place = (catalog.source, provider, model_id)
            if catalog is not primary:
                place = channels.get(_channel_key(provider, model_id), place)
            found.setdefault(place, []).append(said)
    out = [
        _retirement(place, items, identity.key(place[1], place[2]), (seen or {}).get(place[1:]))
        for place, items in found.items()
    ]
    out = [_dated_status(item, today) for item in out]
    return sorted(out, key=lambda item: item.sort_key)


def _retirement(
    place: tuple[str, str, str], items: list[_Found], group: str, seen: date | None
) -> Retirement:
    catalog, provider, model_id = place
    deprecated = any(item.deprecated for item in items)
    dated = sorted((item for item in items if item.date is not None), key=lambda i: i.date or 0)
    status = DEPRECATED if deprecated else SCHEDULED
    if dated:
        first = dated[0]
        return Retirement(provider, model_id, group, first.date, first.source, status, catalog)
    bad = sorted((item.source, item.unusable) for item in items if item.unusable is not None)
    if bad:
        source, text = bad[0]
        return Retirement(provider, model_id, group, None, source, status, catalog, unusable=text)
    source = next(item.source for item in items if item.deprecated)
    return Retirement(
        provider, model_id, group, seen, source, status, catalog, first_seen=seen is not None
    )


def _dated_status(item: Retirement, today: date) -> Retirement:
    if item.announced is not None and item.announced <= today:
        return replace(item, status=RETIRED)
    return item


def _said(source: str, record: Record, today: date) -> _Found | None:
    """The record's retirement, or None when it says nothing (a placeholder date is nothing;
    an unusable one is kept as its text, so the report can name it)."""
    deprecated = record.get("status") == DEPRECATED
    field = _DATE_FIELDS.get(source)
    value = record.get(field) if field else None
    when = calendar_day(value)
    unusable = None
    if value is not None and (when is None or when < EARLIEST):
        when, unusable = None, value if isinstance(value, str) else json_value(value)
    elif when is not None and when > _placeholder_after(today):
        when = None
    if when is None and unusable is None and not deprecated:
        return None
    return _Found(when, deprecated, source, unusable)


def _placeholder_after(today: date) -> date:
    """The last day that is a plan, not a placeholder: :data:`PLACEHOLDER_YEARS` ahead, or the
    last day there is (a ``--now`` in 9995 leaves no room to add ten years)."""
    span = timedelta(days=round(365.25 * PLACEHOLDER_YEARS))
    return date.max if date.max - today < span else today + span


def _channels(catalog: Catalog) -> dict[tuple[str, str], tuple[str, str, str]]:
    """The primary catalog's offerings by channel key (first in sorted order wins a tie)."""
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for provider, model_id, _ in catalog.offerings():
        out.setdefault((provider, _model_key(model_id)), (catalog.source, provider, model_id))
    return out


def _channel_key(provider: str, model_id: str) -> tuple[str, str]:
    """(models.dev provider, compared id) of another catalog's entry (module docstring)."""
    channel = models_dev_provider(provider)
    head, slash, rest = model_id.partition("/")
    if slash and rest and _names_provider(head.lower(), provider, channel):
        model_id = rest
    return channel, _model_key(model_id)


def models_dev_provider(provider: str) -> str:
    """The models.dev provider id a LiteLLM provider (or OpenRouter's) stands for."""
    lowered = provider.lower()
    if lowered in _LITELLM_ONLY:
        return _LITELLM_ONLY[lowered]
    if lowered in PROVIDER_PREFIXES:
        return PROVIDER_PREFIXES[lowered]
    if lowered.startswith("vertex_ai"):
        return "google-vertex-anthropic" if "anthropic" in lowered else "google-vertex"
    if lowered.startswith("bedrock"):
        return "amazon-bedrock"
    maker = maker_named(lowered)
    return maker.provider if maker is not None else lowered


def _names_provider(head: str, provider: str, channel: str) -> bool:
    """``gemini/`` on a gemini entry, ``vertex_ai/`` on a vertex_ai-anthropic_models one."""
    return head in (provider.lower(), channel) or provider.lower().startswith(head + "-")


def _model_key(model_id: str) -> str:
    return _VERSION_DOT.sub("-", model_id.lower())


def deprecated_since(lines: Iterable[LedgerLine]) -> dict[tuple[str, str], date]:
    """(provider, model id) → the day the ledger last saw the offering become deprecated."""
    out: dict[tuple[str, str], date] = {}
    for line in lines:
        provider, model = line.get("provider"), line.get("model")
        if not (isinstance(provider, str) and isinstance(model, str)):
            continue
        became = line.get("field") == "status" and line.get("new") == DEPRECATED
        if line["kind"] == "status_changed" and became:
            when = calendar_day(line["time"][:10])
            if when is not None:
                out[(provider, model)] = when
    return out


def due_lead(retires: date, today: date, leads: Iterable[int], keep: timedelta) -> int | None:
    """The lead time (days before ``retires``) whose reminder is due ``today``, or None.

    Lead ``L`` is due from ``L`` days before the date until the next smaller lead is (the date
    itself after the smallest; lead 0 on the day alone), and never longer than ``keep``. So on
    any day at most one lead is due, the nearest: a first run 5 days before a date with leads
    30, 7 and 1 sends the 7-day reminder only. A reminder's id is the same all through its
    window, so the outbox sends it once; ``keep`` is how long the outbox keeps a delivered id
    (30 days), which makes a window end before its id can be pruned (it was queued inside the
    window, delivered no earlier): a pruned id never comes back, with no extra state kept.
    Counted in day numbers, which never leave the range ``date`` does (``9999-12-31`` + 1).
    """
    ordered = sorted(set(leads), reverse=True)
    if not ordered:
        return None
    day, last = today.toordinal(), retires.toordinal()
    ends = [last - lead for lead in ordered[1:]] + [last + 1 if ordered[-1] == 0 else last]
    for lead, end in zip(ordered, ends, strict=True):
        start = last - lead
        if start <= day < min(end, start + keep.days):
            return lead
    return None
