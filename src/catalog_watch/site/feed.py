"""``feed.xml``: an Atom feed (RFC 4287) of the runs, newest first, made with feedgen.

One entry per run, for the newest :data:`MAX_RUNS` runs. Ids are ``tag:`` URIs built from the
source, the run time and the commit the run measured from, so an entry keeps its id whatever the
site's address; ``updated`` is the run time (the feed's is the newest run's), so rebuilding the
site never makes an old entry look new. The entry's content is an HTML list of the run's rows in
the site's words, at most :data:`MAX_ITEMS` of them; its link is the run's page.

Links are relative (``run/<anchor>.html``) unless ``base_url`` gives the site's address (for
GitHub Pages, ``https://<owner>.github.io/<repository>/``); feed readers resolve relative links
against the feed's own URL, absolute ones are safer. The ``rel="self"`` link, the feed's own
address, is written only when that address is known: a relative one says nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from catalog_watch.inert.xml import xml_text
from catalog_watch.site.html import render
from catalog_watch.site.rows import KeyOf, Row, row_of
from catalog_watch.site.runs import Run

MAX_RUNS = 50
MAX_ITEMS = 50
TAG = "tag:catalog-watch,2026:"
AUTHOR = "catalog-watch"


def feed_id(source: str) -> str:
    return f"{TAG}{source}"


def entry_id(run: Run) -> str:
    return f"{TAG}{run.source}/run/{run.stamp}/{run.commit or 'none'}"


def atom_feed(
    runs: Sequence[Run], *, source: str, updated: datetime, base_url: str, key_of: KeyOf
) -> bytes:
    """The feed document; ``base_url`` is ``""`` (relative links) or ends with ``/``."""
    from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

    feed = FeedGenerator()
    feed.id(xml_text(feed_id(source)))
    feed.title(xml_text(f"{source} catalog changes"))
    feed.subtitle(
        xml_text(f"Every price, limit and model change catalog-watch recorded in {source}.")
    )
    feed.updated(runs[0].time if runs else updated)
    feed.author({"name": AUTHOR})
    feed.link(href=f"{base_url}index.html", rel="alternate", type="text/html")
    if base_url:  # a self link must be absolute to mean anything: none without the address
        feed.link(href=f"{base_url}feed.xml", rel="self", type="application/atom+xml")
    feed.generator(AUTHOR)
    feed.language("en")
    for run in runs[:MAX_RUNS]:
        entry = feed.add_entry(order="append")
        entry.id(xml_text(entry_id(run)))
        entry.title(xml_text(run.title))
        entry.updated(run.time)
        entry.link(href=f"{base_url}run/{run.anchor}.html", rel="alternate", type="text/html")
        entry.content(_content(run, key_of), type="html")
    document: bytes = feed.atom_str(pretty=True)
    return document


def _content(run: Run, key_of: KeyOf) -> str:
    rows = [row_of(record, key_of) for record in run.records[:MAX_ITEMS]]
    return render(
        "feed_entry.html",
        run=run,
        extra=run.inconsistency_counts(),
        lines=[_line(row) for row in rows],
        more=len(run.records) - len(rows),
    )


def _line(row: Row) -> str:
    """``▼ vercel google/gemini-3.1-flash-image-preview: cost.output $60.00 → $3.00 (-95 %) [low]``
    (the site's cells on one line)."""
    where = " ".join(part for part in (row.provider, row.model) if part)
    what = " ".join(part for part in (row.field, row.change) if part)
    pct = f" ({row.pct})" if row.pct else ""
    return f"{row.arrow} {where}: {what}{pct} [{row.severity}]"
