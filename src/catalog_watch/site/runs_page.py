"""``runs.html``: every run in the ledger, newest first, each linked to its own page.

One row per run: when, its headline (the commit message), how many records and inconsistencies
it wrote and the snapshot it was measured from; ``limit`` runs to a page, cut from the oldest
(``pager.py``), so an older page keeps its bytes as runs are added.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog_watch.site.digest import digest
from catalog_watch.site.incremental import Pages
from catalog_watch.site.pager import Page, page_sizes, pager_links, paginate
from catalog_watch.site.pages import Context, page_html
from catalog_watch.site.runs import Run

PATH = "runs.html"


def runs_pages(runs: Sequence[Run], context: Context) -> Pages:
    """The list of runs, its front at ``runs.html``."""
    sizes = page_sizes(len(runs), context.limit, stable=True)
    pages = [chunk for _, chunk in (page[0] for page in paginate([runs], list, sizes))]
    pages = pages or [[]]
    listed: dict[str, tuple[Page, Sequence[Run]]] = {}
    for position, chunk in enumerate(pages):
        page = Page(PATH, len(pages) - position, len(pages), 0, stable=True)
        listed[page.path] = (page, chunk)
    total = len(runs)
    return Pages(
        {
            name: digest(
                "runs",
                context.source,
                name,
                repr(_words(page, len(chunk), total, context.limit)),
                repr(pager_links(page)),
                *(run.digest for run in chunk),
            )
            for name, (page, chunk) in listed.items()
        },
        lambda names: {
            name: (_page(*listed[name], total, context).encode("utf-8"), 0) for name in names
        },
    )


def _words(page: Page, shown: int, total: int, limit: int) -> tuple[str, str]:
    """The page's title and its count line."""
    if page.count == 1:
        return "Runs", f"{total:,} runs recorded changes, newest first." if total != 1 else "1 run."
    if page.front:
        return "Runs", f"The newest {shown:,} of {total:,} runs that recorded changes."
    first = (page.number - 1) * limit + 1
    return (
        f"Runs (page {page.number:,})",
        f"Runs {first:,} to {first + shown - 1:,}, counted from the oldest; newest first.",
    )


def _page(page: Page, runs: Sequence[Run], total: int, context: Context) -> str:
    title, count = _words(page, len(runs), total, context.limit)
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
