"""Which model gets a page, and each page's inputs: its price periods, its rows, its card.

A page per group key in ``Context.pages`` (chosen by ``build``): the key's price periods from
``history.history_from_ledger`` (one pass over the whole ledger, grouped by key), its ledger rows
run by run (at most ``limit``, newest first) and ``Models.card``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from catalog_watch.analysis.history import Period, history_from_ledger
from catalog_watch.analysis.model_card import ModelCard
from catalog_watch.model.catalog import Record
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.site.chart import PRICE_FIELDS, render_charts
from catalog_watch.site.model_page import ModelPage, chart_job, model_html
from catalog_watch.site.models import Models
from catalog_watch.site.pages import Context, sections
from catalog_watch.site.rows import record_key
from catalog_watch.site.runs import Run, parse_time
from catalog_watch.site.series import Events, Offering, chart_data, span_of

Shown = list[tuple[Run, list[LedgerLine]]]


def model_pages(
    runs: Sequence[Run],
    records: Sequence[LedgerLine],
    models: Models,
    context: Context,
    baseline: datetime | None,
    workers: int = 1,
) -> dict[str, tuple[str, bool]]:
    """Page path → (HTML, whether it has a chart); ``workers`` processes draw the charts.

    ``baseline`` is when the snapshot the first run was measured from was taken (None: unknown).
    """
    if not runs:
        return {}
    periods: dict[str, list[Period]] = {}
    for period in history_from_ledger(records):  # the interface history.py promises: no options
        if period.field in PRICE_FIELDS:
            periods.setdefault(models.key_of(period.provider, period.model), []).append(period)
    span = span_of([run.time for run in runs], baseline)
    events = _events(records, models)
    cards = {key: models.card(key) for key in context.pages}
    charts = {
        key: chart_data(
            periods.get(key, []),
            _current(models, key),
            span,
            events.get(key, _NO_EVENTS),
            _maker(cards[key]),
        )
        for key in context.pages
    }
    jobs = {
        key: job
        for key, chart in charts.items()
        if (job := chart_job(key, chart, span)) is not None
    }
    svgs = dict(zip(jobs, render_charts(list(jobs.values()), workers), strict=True))
    rows = _rows_by_key(runs, models, context)
    pages = {}
    for key, path in context.pages.items():
        page = ModelPage(
            key=key,
            card=cards[key],
            chart=charts[key],
            svg=svgs.get(key),
            span=span,
            first_run=f"{runs[-1].time:%Y-%m-%d}",
            changes=sections(rows.get(key, []), context, root="../"),
        )
        pages[path] = (model_html(page, context), key in svgs)
    return pages


_NO_EVENTS = Events(frozenset(), {}, {})


def _maker(card: ModelCard | None) -> Offering | None:
    """The maker's own offering, drawn first among the unchanged ones."""
    if card is None or card.scenario_basis != "maker":
        return None
    return card.scenario_provider


def _events(records: Sequence[LedgerLine], models: Models) -> dict[str, Events]:
    """Per group key: the offerings whose input or output price changed, and when each was
    last added and removed."""
    priced: dict[str, set[Offering]] = {}
    added: dict[str, dict[Offering, datetime]] = {}
    removed: dict[str, dict[Offering, datetime]] = {}
    for record in records:
        provider, model, kind = record.get("provider"), record.get("model"), record.get("kind")
        moment = parse_time(record.get("time"))
        if not isinstance(provider, str) or not isinstance(model, str) or moment is None:
            continue
        key, offering = models.key_of(provider, model), (provider, model)
        if kind == "price_changed" and record.get("field") in PRICE_FIELDS:
            priced.setdefault(key, set()).add(offering)
        elif kind in ("model_added", "model_removed"):
            seen = (added if kind == "model_added" else removed).setdefault(key, {})
            seen[offering] = max(moment, seen.get(offering, moment))
    keys = priced.keys() | added.keys() | removed.keys()
    return {
        key: Events(frozenset(priced.get(key, ())), added.get(key, {}), removed.get(key, {}))
        for key in keys
    }


def _current(models: Models, key: str) -> dict[tuple[str, str], Record]:
    providers = models.catalog.providers
    return {(p, m): providers[p].models[m] for p, m in models.members(key)}


def _rows_by_key(runs: Sequence[Run], models: Models, context: Context) -> dict[str, Shown]:
    """Each page's records, run by run, newest first, at most ``limit`` per page."""
    by_key: dict[str, Shown] = {}
    room: dict[str, int] = {}
    for run in runs:
        for record in run.records:
            key = record_key(record, models.key_of)
            if key is None or key not in context.pages or room.get(key, context.limit) <= 0:
                continue
            shown = by_key.setdefault(key, [])
            if not shown or shown[-1][0] is not run:
                shown.append((run, []))
            shown[-1][1].append(record)
            room[key] = room.get(key, context.limit) - 1
    return by_key
