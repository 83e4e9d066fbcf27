"""The change listings: ``index.html``, the filtered pages and one page per run.

Filtering needs no JavaScript: every provider, kind and severity has its own static page
(``provider/<id>.html``, ``kind/<kind>.html``, ``severity/<severity>.html``) holding only the
matching rows, and the filter bar on every listing is plain links to them. A provider's page also
lists the inconsistencies that name one of its offerings. Every listing holds all its rows,
newest run first, ``limit`` to a page (``pager.py``), and says which of them a page shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from catalog_watch.site.html import Filters, change_table, document, esc, filter_bar
from catalog_watch.site.pager import Page, pager_nav, paginate
from catalog_watch.site.rows import KeyOf, row_of
from catalog_watch.site.runs import APPEARED, RESOLVED, Record, Run

Select = Callable[[Record], bool]


@dataclass(frozen=True, slots=True)
class Context:
    """What every listing needs besides its runs."""

    filters: Filters
    pages: Mapping[str, str]  # group key → model page, relative to the site root
    key_of: KeyOf
    limit: int
    generated: str
    source: str


Shown = list[tuple[Run, list[Record]]]
"""A page's rows: each run with those of its records the page holds, newest run first."""


def select_rows(runs: Sequence[Run], select: Select, limit: int) -> tuple[Shown, int]:
    """The first page of matching records, run by run, and how many matched in all."""
    pages = _pages(runs, select, limit)
    return (pages[0] if pages else []), sum(len(rs) for page in pages for _, rs in page)


def _pages(runs: Sequence[Run], select: Select, limit: int) -> list[Shown]:
    return paginate(runs, lambda run: [r for r in run.records if select(r)], limit)


def listing_pages(
    runs: Sequence[Run], *, path: str, title: str, intro: str, select: Select, context: Context
) -> dict[str, str]:
    """A listing, page 1 at ``path`` (relative to the site root), the others after it
    (``pager.page_path``); ``intro`` is HTML, already escaped."""
    pages = _pages(runs, select, context.limit) or [[]]
    total = sum(len(records) for page in pages for _, records in page)
    out: dict[str, str] = {}
    offset = 0
    for number, shown in enumerate(pages, start=1):
        page = Page(path, number, len(pages), offset)
        continued = number > 1 and pages[number - 2][-1][0] is shown[0][0]
        out[page.path] = _listing(page, shown, total, title, intro, context, continued)
        offset += sum(len(records) for _, records in shown)
    return out


def _listing(
    page: Page,
    shown: Shown,
    total: int,
    title: str,
    intro: str,
    context: Context,
    continued: bool,
) -> str:
    heading = title if page.count == 1 else f"{title} (page {page.number:,} of {page.count:,})"
    pager = pager_nav(page)
    sections = run_sections(shown, page.root, context, continued=continued)
    body = (
        f'<h1>{esc(heading)}</h1>\n<p class="intro">{intro}</p>\n'
        + filter_bar(context.filters, page.root, page.first)
        + f'<p class="count">{_count(page, shown, total)}</p>\n'
        + pager
        + (sections or '<p class="empty">No change recorded yet.</p>\n')
        + pager
    )
    return document(
        title=heading, root=page.root, body=body, generated=context.generated, source=context.source
    )


def run_pages(run: Run, context: Context) -> dict[str, str]:
    """A run's own pages: the permalink its feed entry and the list of runs point to."""
    return listing_pages(
        [run],
        path=f"run/{run.anchor}.html",
        title=f"{run.heading}: {run.title}",
        intro=f"Every change this run recorded, measured from snapshot {_commit(run)}.",
        select=lambda _record: True,
        context=context,
    )


def provider_selector(provider: str) -> Select:
    """A provider's own records, and the inconsistencies that name one of its offerings."""
    prefix = f"{provider}/"

    def select(record: Record) -> bool:
        if record.get("kind") in (APPEARED, RESOLVED):
            values = record.get("values")
            return isinstance(values, Mapping) and any(
                isinstance(label, str) and label.startswith(prefix) for label in values
            )
        return record.get("provider") == provider

    return select


def field_selector(name: str, value: str) -> Select:
    return lambda record: record.get(name) == value


def run_sections(
    shown: Sequence[tuple[Run, Sequence[Record]]],
    root: str,
    context: Context,
    *,
    continued: bool = False,
) -> str:
    """The runs' sections; with ``continued``, the first run began on the page before."""
    return "".join(
        _section(run, records, root, context, continued and n == 0)
        for n, (run, records) in enumerate(shown)
    )


def _section(
    run: Run, records: Sequence[Record], root: str, context: Context, continued: bool
) -> str:
    rows = [row_of(record, context.key_of) for record in records]
    extra = run.inconsistency_counts()
    meta = f"measured from snapshot {_commit(run)}; {len(run.records):,} records in this run"
    more = ' <span class="continued">(continued)</span>' if continued else ""
    anchor = "" if continued else f' id="{esc(run.anchor)}"'  # an id once, where the run begins
    return (
        f'<section class="run"{anchor}>\n'
        f'<h2><a href="{root}run/{esc(run.anchor)}.html">{esc(run.heading)}</a>{more} '
        f'<span class="headline">{esc(run.title)}</span></h2>\n'
        + (f'<p class="inconsistencies">{esc(extra)}</p>\n' if extra else "")
        + f'<p class="meta">{meta}</p>\n'
        + change_table(rows, root, context.pages)
        + "</section>\n"
    )


def _commit(run: Run) -> str:
    return f"<code>{esc(run.commit[:12])}</code>" if run.commit else "(no commit)"


def _count(page: Page, shown: Shown, total: int) -> str:
    if page.count == 1:
        return f"{total:,} records."
    count = sum(len(records) for _, records in shown)
    first, last = page.offset + 1, page.offset + count
    return f"Records {first:,} to {last:,} of {total:,}, newest run first."
