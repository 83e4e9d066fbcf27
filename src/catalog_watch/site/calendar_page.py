"""``deprecations.html`` and ``calendar.ics``: the deprecation calendar on the site.

The dates are the snapshot's catalog's and those of the other sources' snapshot folders beside it
(``snapshots/litellm``, ``snapshots/openrouter``), joined as ``analysis.deprecations`` joins
them; the ledger dates a models.dev deprecation by the day it was first seen. The page lists
every retirement, soonest first (undated deprecations last), each offering linked to its model
page when the site has one; the feed holds one event per announced date, stamped with the
site's ``now`` (the newest run's time by default), so a rebuild gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from catalog_watch.analysis.deprecations import Retirement, deprecated_since, retirements
from catalog_watch.analysis.identity import ModelIndex
from catalog_watch.jobs.deprecation_alerts import source_folders
from catalog_watch.model.catalog import Catalog
from catalog_watch.model.ledger_line import LedgerLine
from catalog_watch.render.calendar import render_calendar
from catalog_watch.render.deprecations import offering_name, source_name, when
from catalog_watch.render.values import count
from catalog_watch.settings.config import Config
from catalog_watch.site.pages import Context, page_html
from catalog_watch.store.catalog_files import load_catalog

PAGE = "deprecations.html"
FEED = "calendar.ics"


@dataclass(frozen=True, slots=True)
class Row:
    """One retirement as the page's table shows it."""

    date: str
    offering: str
    relative: str
    source: str
    status: str
    page: str  # the model page, relative to the site root; "" when the site has none


def calendar_files(
    snapshots: Path,
    catalog: Catalog,
    records: Sequence[LedgerLine],
    config: Config,
    index: ModelIndex | None,
    moment: datetime,
    context: Context,
) -> dict[str, bytes]:
    """The page and the feed, by path relative to the site root."""
    resolved = snapshots.resolve()
    others = [
        load_catalog(path, config)
        for path in source_folders(snapshots.parent)
        if path.resolve() != resolved
    ]
    items = retirements(
        [catalog, *others],
        today=moment.date(),
        seen=deprecated_since(records),
        aliases=config.inconsistencies.aliases,
        index=index,
    )
    return {
        PAGE: _page(items, moment, context).encode("utf-8"),
        FEED: render_calendar(items, stamp=moment),
    }


def _page(items: Sequence[Retirement], moment: datetime, context: Context) -> str:
    today = moment.date()
    rows = [
        Row(
            date=item.date.isoformat() if item.date else "-",
            offering=offering_name(item),
            relative=when(item, today),
            source=source_name(item.source),
            status=item.status,
            page=context.pages.get(item.group, ""),
        )
        for item in items
    ]
    dated = sum(1 for item in items if item.announced is not None)
    said = (
        f"{count(len(items), 'retirement', 'retirements')} as of {today.isoformat()}, "
        f"{dated:,} with a date a catalog announced."
    )
    return page_html(
        "deprecations.html",
        context,
        title="Model retirements",
        root="",
        heading="Model retirements",
        count=said,
        rows=rows,
    )
