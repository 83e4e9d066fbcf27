"""``runs.html``: every run in the ledger, newest first, each linked to its own page.

One row per run: when, its headline (the commit message), how many records and inconsistencies
it wrote and the snapshot it was measured from; ``limit`` runs to a page (``pager.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog_watch.site.pager import Page, pager_links, paginate
from catalog_watch.site.pages import Context, page_html
from catalog_watch.site.runs import Run

PATH = "runs.html"


def runs_pages(runs: Sequence[Run], context: Context) -> dict[str, str]:
    """The list of runs, page 1 at ``runs.html``."""
    pages = [chunk for _, chunk in (page[0] for page in paginate([runs], list, context.limit))]
    pages = pages or [[]]
    out: dict[str, str] = {}
    offset = 0
    for number, chunk in enumerate(pages, start=1):
        page = Page(PATH, number, len(pages), offset)
        out[page.path] = _page(page, chunk, len(runs), context)
        offset += len(chunk)
    return out


def _page(page: Page, runs: Sequence[Run], total: int, context: Context) -> str:
    title = "Runs" if page.count == 1 else f"Runs (page {page.number:,} of {page.count:,})"
    count = f"{total:,} runs recorded changes, newest first." if total != 1 else "1 run."
    return page_html(
        "runs.html",
        context,
        title=title,
        root=page.root,
        heading=title,
        count=count,
        pager=pager_links(page),
        runs=runs,
    )
