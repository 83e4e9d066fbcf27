"""Which model gets a page, and each page's inputs: its price periods, its rows, its card.

A page per group key in ``Context.pages`` (chosen by ``build``): the key's price periods from
``history.history_from_ledger``, its ledger rows run by run (at most ``limit``, newest first)
and ``Models.card``. The chart's time axis ends at the model's own last change, not at the
newest run, so a run that does not touch a model leaves its page as it was.

The pages are :class:`incremental.Pages`: a page's digest is its card's words, its current
offerings' prices, its axis and the keys of every ledger row about it (a price period of an
offering comes only from that offering's rows: ``history`` keeps one timeline per offering).
Rendering asks for some pages: the history pass reads only their rows, and their charts are
drawn by ``workers`` processes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from catalog_watch.analysis.history import Period, history_from_ledger
from catalog_watch.analysis.model_card import ModelCard
from catalog_watch.model.catalog import Record
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.site.chart import PRICE_FIELDS, render_charts
from catalog_watch.site.digest import digest
from catalog_watch.site.incremental import Pages, Rendered
from catalog_watch.site.model_page import ModelPage, chart_job, model_html
from catalog_watch.site.models import Models
from catalog_watch.site.pages import Context, sections, shown_key
from catalog_watch.site.runs import Run, parse_time
from catalog_watch.site.series import Events, Offering, Span, chart_data, span_of

Shown = list[tuple[Run, list[LedgerLine]]]


@dataclass(frozen=True, slots=True)
class _Model:
    """One model page's inputs, before anything is drawn (its card is made when rendered)."""

    key: str
    rows: list[LedgerLine]  # every ledger row about the model, in ledger order
    shown: Shown  # its newest rows, run by run
    span: Span


def model_pages(
    runs: Sequence[Run],
    records: Sequence[LedgerLine],
    models: Models,
    context: Context,
    baseline: datetime | None,
    workers: int = 1,
) -> Pages:
    """The model pages; ``workers`` processes draw the charts of those rendered.

    ``baseline`` is when the snapshot the first run was measured from was taken (None: unknown).
    """
    if not runs:
        return Pages({}, lambda names: {})
    shown, last = _rows_by_key(runs, context)
    about: dict[str, list[LedgerLine]] = {key: [] for key in context.pages}
    for record in records:  # ledger order, as the history reads it; only the runs' records
        key = context.groups.get(id(record))
        if key in about:
            about[key].append(record)
    times = sorted({run.time for run in runs})
    first_run = f"{runs[-1].time:%Y-%m-%d}"
    pages = {
        path: _Model(
            key,
            about[key],
            shown.get(key, []),
            span_of(times[: bisect_right(times, last[key])], baseline),
        )
        for key, path in context.pages.items()
    }
    digests = {
        path: digest(
            "model",
            context.source,
            path,
            first_run,
            models.card_digest(page.key),
            repr(page.span),
            repr(_current_prices(models, page.key)),
            b"".join(context.keys[id(record)] for record in page.rows),
            shown_key(page.shown, context),
        )
        for path, page in pages.items()
    }

    def render(paths: Sequence[str]) -> dict[str, Rendered]:
        chosen = [pages[path] for path in paths]
        return dict(zip(paths, _render(chosen, models, context, first_run, workers), strict=True))

    return Pages(digests, render)


def _render(
    chosen: Sequence[_Model], models: Models, context: Context, first_run: str, workers: int
) -> list[Rendered]:
    """The pages of ``chosen``: one history pass over their rows, their charts drawn at once."""
    cards = [models.card(page.key) for page in chosen]
    rows = [record for page in chosen for record in page.rows]
    periods: dict[str, list[Period]] = {}
    for period in history_from_ledger(rows):  # the interface history.py promises: no options
        if period.field in PRICE_FIELDS:
            periods.setdefault(models.key_of(period.provider, period.model), []).append(period)
    events = _events(rows, models)
    charts = [
        chart_data(
            periods.get(page.key, []),
            _current(models, page.key),
            page.span,
            events.get(page.key, _NO_EVENTS),
            _maker(card),
        )
        for page, card in zip(chosen, cards, strict=True)
    ]
    jobs = [
        chart_job(page.key, chart, page.span) for page, chart in zip(chosen, charts, strict=True)
    ]
    drawn = iter(render_charts([job for job in jobs if job is not None], workers))
    out = []
    for page, card, chart, job in zip(chosen, cards, charts, jobs, strict=True):
        svg = next(drawn) if job is not None else None
        html = model_html(
            ModelPage(
                key=page.key,
                card=card,
                chart=chart,
                svg=svg,
                span=page.span,
                first_run=first_run,
                changes=sections(page.shown, context, root="../"),
            ),
            context,
        )
        out.append((html.encode("utf-8"), int(svg is not None)))
    return out


_NO_EVENTS = Events(frozenset(), {}, {})


def _maker(card: ModelCard | None) -> Offering | None:
    """The maker's own offering, drawn first among the unchanged ones."""
    if card is None or card.scenario_basis != "maker":
        return None
    return card.scenario_provider


def _events(records: Iterable[LedgerLine], models: Models) -> dict[str, Events]:
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


def _current_prices(models: Models, key: str) -> list[tuple[str, str, str]]:
    """What the chart reads of the offerings now: who they are and their prices."""
    return [(p, m, repr(record.get("cost"))) for (p, m), record in _current(models, key).items()]


def _rows_by_key(
    runs: Sequence[Run], context: Context
) -> tuple[dict[str, Shown], dict[str, datetime]]:
    """Each page's records, run by run, newest first, at most ``limit`` per page; and the
    time of each page's newest run."""
    by_key: dict[str, Shown] = {}
    last: dict[str, datetime] = {}
    room: dict[str, int] = {}
    for run in runs:
        for record in run.records:
            key = context.groups[id(record)]
            if key is None or key not in context.pages:
                continue
            last.setdefault(key, run.time)
            if room.get(key, context.limit) <= 0:
                continue
            shown = by_key.setdefault(key, [])
            if not shown or shown[-1][0] is not run:
                shown.append((run, []))
            shown[-1][1].append(record)
            room[key] = room.get(key, context.limit) - 1
    return by_key, last
