"""``runs.html``: every run in the ledger, newest first, each linked to its own page.

One row per run: when, its headline (the commit message), how many records and inconsistencies
it wrote and the snapshot it was measured from; ``limit`` runs to a page (``pager.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from catalog_watch.site.html import document, esc
from catalog_watch.site.pager import Page, pager_nav, paginate
from catalog_watch.site.pages import Context
from catalog_watch.site.runs import Run

PATH = "runs.html"
_HEADER = ("run (UTC)", "what changed", "records", "measured from")


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
    head = "".join(f'<th scope="col">{esc(name)}</th>' for name in _HEADER)
    rows = "".join(_row(run, page.root) for run in runs)
    table = (
        f'<div class="table"><table class="runs">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table></div>\n"
        if runs
        else '<p class="empty">No change recorded yet.</p>\n'
    )
    pager = pager_nav(page)
    body = f'<h1>{esc(title)}</h1>\n<p class="count">{esc(count)}</p>\n' + pager + table + pager
    return document(
        title=title, root=page.root, body=body, generated=context.generated, source=context.source
    )


def _row(run: Run, root: str) -> str:
    extra = run.inconsistency_counts()
    commit = f"<code>{esc(run.commit[:12])}</code>" if run.commit else "(no commit)"
    cells = (
        f'<td class="when"><a href="{root}run/{esc(run.anchor)}.html">{esc(run.heading)}</a></td>',
        f'<td class="headline">{esc(run.title)}'
        + (f'<br><span class="inconsistencies">{esc(extra)}</span>' if extra else "")
        + "</td>",
        f'<td class="records">{len(run.records):,}</td>',
        f'<td class="commit">{commit}</td>',
    )
    return f'<tr class="run-row">{"".join(cells)}</tr>\n'
