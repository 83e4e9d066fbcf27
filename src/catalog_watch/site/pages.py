"""The change listings: ``index.html``, the filtered pages and one page per run.

Filtering needs no JavaScript: every provider, kind and severity has its own static page
(``provider/<id>.html``, ``kind/<kind>.html``, ``severity/<severity>.html``) holding only the
matching rows, and the filter bar on every listing is plain links to them. A provider's page also
lists the inconsistencies that name one of its offerings. Every listing holds all its rows,
newest run first, ``limit`` to a page (``pager.py``), and says which of them a page shows.
The markup is ``templates/listing.html`` (a child template per intro) and ``sections.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from catalog_watch.site.html import Filters, render
from catalog_watch.site.pager import Page, pager_links, paginate
from catalog_watch.site.rows import KeyOf, Row, row_of
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


@dataclass(frozen=True, slots=True)
class Section:
    """A run as ``sections.html`` shows it: ``continued`` when it began on the page before."""

    run: Run
    rows: tuple[Row, ...]
    continued: bool


def page_html(template: str, context: Context, *, title: str, root: str, **values: object) -> str:
    """A page of the site: ``template`` extends ``base.html``, the document around it."""
    return render(
        template,
        title=title,
        root=root,
        generated=context.generated,
        source=context.source,
        **values,
    )


def listing_pages(
    runs: Sequence[Run],
    *,
    path: str,
    title: str,
    template: str,
    select: Select,
    context: Context,
    run: Run | None = None,
) -> dict[str, str]:
    """A listing, page 1 at ``path`` (relative to the site root), the others after it
    (``pager.page_path``); ``template`` extends ``listing.html`` with its intro (``run`` is
    the run of a run's page)."""
    pages = _pages(runs, select, context.limit) or [[]]
    total = sum(len(records) for page in pages for _, records in page)
    out: dict[str, str] = {}
    offset = 0
    for number, shown in enumerate(pages, start=1):
        page = Page(path, number, len(pages), offset)
        continued = number > 1 and pages[number - 2][-1][0] is shown[0][0]
        heading = title if page.count == 1 else f"{title} (page {number:,} of {page.count:,})"
        out[page.path] = page_html(
            template,
            context,
            title=heading,
            root=page.root,
            heading=heading,
            run=run,
            filters=context.filters,
            current=page.first,
            count=_count(page, shown, total),
            pager=pager_links(page),
            sections=sections(shown, context, continued=continued),
            pages=context.pages,
        )
        offset += sum(len(records) for _, records in shown)
    return out


def run_pages(run: Run, context: Context) -> dict[str, str]:
    """A run's own pages: the permalink its feed entry and the list of runs point to."""
    return listing_pages(
        [run],
        path=f"run/{run.anchor}.html",
        title=f"{run.heading}: {run.title}",
        template="listing_run.html",
        select=lambda _record: True,
        context=context,
        run=run,
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


def sections(
    shown: Sequence[tuple[Run, Sequence[Record]]], context: Context, *, continued: bool = False
) -> list[Section]:
    """The runs' sections; with ``continued``, the first run began on the page before."""
    return [
        Section(run, tuple(row_of(r, context.key_of) for r in records), continued and n == 0)
        for n, (run, records) in enumerate(shown)
    ]


def _count(page: Page, shown: Shown, total: int) -> str:
    if page.count == 1:
        return f"{total:,} records."
    count = sum(len(records) for _, records in shown)
    first, last = page.offset + 1, page.offset + count
    return f"Records {first:,} to {last:,} of {total:,}, newest run first."
