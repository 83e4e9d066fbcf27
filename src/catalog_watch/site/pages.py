"""The change listings: ``index.html``, the filtered pages and one page per run.

Filtering needs no JavaScript: every provider, kind and severity has its own static page
(``provider/<id>.html``, ``kind/<kind>.html``, ``severity/<severity>.html``) holding only the
matching rows, and the filter bar on every listing is plain links to them. A provider's page also
lists the inconsistencies that name one of its offerings. Every listing holds all its rows,
newest run first, ``limit`` to a page (``pager.py``), and says which of them a page shows.
The markup is ``templates/listing.html`` (a child template per intro) and ``sections.html``.

Linear in the records: one pass (:func:`listings_of`) hands each record to the few listings it
belongs to (its provider's, its kind's, its severity's, and for an inconsistency the providers it
names), and each record's row is rendered once per folder depth (``row.html``, cached in the
``Context``), then reused by every page that lists it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from catalog_watch.site.html import Filters, as_markup, render, render_markup
from catalog_watch.site.pager import Page, pager_links, paginate
from catalog_watch.site.rows import KeyOf, row_of
from catalog_watch.site.runs import APPEARED, RESOLVED, Record, Run


@dataclass(frozen=True, slots=True)
class Context:
    """What every listing needs besides its runs."""

    filters: Filters
    pages: Mapping[str, str]  # group key → model page, relative to the site root
    key_of: KeyOf
    limit: int
    generated: str
    source: str
    rows: dict[tuple[int, str], str] = field(default_factory=dict, compare=False)
    """Each record's rendered row by (id of the record, root): rendered once, listed often."""
    bars: dict[str, str] = field(default_factory=dict, compare=False)
    """The filter bar by root, with no current page (:func:`filter_bar`)."""


Shown = list[tuple[Run, list[Record]]]
"""A page's rows: each run with those of its records the page holds, newest run first."""


def first_page(runs: Sequence[Run], limit: int) -> Shown:
    """The first page of every record, run by run (what ``index.html`` shows first)."""
    pages = _pages([(run, run.records) for run in runs], limit)
    return pages[0] if pages else []


def _pages(shown: Sequence[tuple[Run, Sequence[Record]]], limit: int) -> list[Shown]:
    groups = paginate(shown, lambda pair: pair[1], limit)
    return [[(pair[0], records) for pair, records in page] for page in groups]


def listings_of(runs: Sequence[Run], filters: Filters) -> dict[str, Shown]:
    """Every filtered listing's records, run by run, by the listing's page 1 path: one pass."""
    out: dict[str, Shown] = {}
    for run in runs:
        for record in run.records:
            for path in _listings_of(record, filters):
                shown = out.setdefault(path, [])
                if not shown or shown[-1][0] is not run:
                    shown.append((run, []))
                shown[-1][1].append(record)
    return out


def _listings_of(record: Record, filters: Filters) -> list[str]:
    """A record's provider page (for an inconsistency: the pages of the providers it names),
    its kind's page and its severity's page."""
    kind = record.get("kind")
    if kind in (APPEARED, RESOLVED):
        values = record.get("values")
        named = (
            {label.split("/", 1)[0] for label in values if isinstance(label, str) and "/" in label}
            if isinstance(values, Mapping)
            else set()
        )
        providers = [filters.providers[p] for p in sorted(named) if p in filters.providers]
    else:
        provider = record.get("provider")
        found = filters.providers.get(provider) if isinstance(provider, str) else None
        providers = [found] if found else []
    kind_page = filters.kinds.get(str(kind))
    severity_page = filters.severities.get(str(record.get("severity")))
    return providers + [page for page in (kind_page, severity_page) if page]


@dataclass(frozen=True, slots=True)
class Section:
    """A run as ``sections.html`` shows it: ``continued`` when it began on the page before."""

    run: Run
    rows: tuple[str, ...]  # each a rendered ``row.html``
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
    shown: Sequence[tuple[Run, Sequence[Record]]],
    *,
    path: str,
    title: str,
    template: str,
    context: Context,
    run: Run | None = None,
) -> dict[str, str]:
    """A listing of ``shown`` (runs with the records it holds), page 1 at ``path`` (relative to
    the site root), the others after it (``pager.page_path``); ``template`` extends
    ``listing.html`` with its intro (``run`` is the run of a run's page)."""
    pages = _pages(shown, context.limit) or [[]]
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
            filter_bar=filter_bar(context, page.root, page.first),
            count=_count(page, shown, total),
            pager=pager_links(page),
            sections=sections(shown, context, root=page.root, continued=continued),
            pages=context.pages,
        )
        offset += sum(len(records) for _, records in shown)
    return out


def filter_bar(context: Context, root: str, current: str) -> str:
    """The bar of filter links (``filters.html``) with ``current``'s link marked as this page:
    rendered once per root, then the one ``<a href="…">`` of the current page gets its
    ``aria-current`` (paths are slugs: nothing in them needs escaping)."""
    bar = context.bars.get(root)
    if bar is None:
        bar = render_markup("filters.html", filters=context.filters, root=root, current="")
        context.bars[root] = bar
    link = f'<a href="{root}{current}">'
    return as_markup(str.replace(bar, link, link[:-1] + ' aria-current="page">', 1))


def run_pages(run: Run, context: Context) -> dict[str, str]:
    """A run's own pages: the permalink its feed entry and the list of runs point to."""
    return listing_pages(
        [(run, run.records)],
        path=f"run/{run.anchor}.html",
        title=f"{run.heading}: {run.title}",
        template="listing_run.html",
        context=context,
        run=run,
    )


def sections(
    shown: Sequence[tuple[Run, Sequence[Record]]],
    context: Context,
    *,
    root: str,
    continued: bool = False,
) -> list[Section]:
    """The runs' sections for a page ``root`` away from the site root; with ``continued``, the
    first run began on the page before."""
    return [
        Section(run, tuple(_row(r, context, root) for r in records), continued and n == 0)
        for n, (run, records) in enumerate(shown)
    ]


def _row(record: Record, context: Context, root: str) -> str:
    """The record's ``<tr>``: rendered once (for the site root), then its one link, the model
    page's, led to the page's ``root`` (the template's ``<a href="`` is the only one a row can
    hold: catalog text reaches it escaped, so it never writes ``<``)."""
    key = (id(record), root)
    html = context.rows.get(key)
    if html is None:
        top = context.rows.get((id(record), ""))
        if top is None:
            row = row_of(record, context.key_of)
            top = render_markup("row.html", row=row, root="", pages=context.pages)
            context.rows[(id(record), "")] = top
        html = as_markup(str.replace(top, '<a href="', f'<a href="{root}', 1)) if root else top
        context.rows[key] = html
    return html


def _count(page: Page, shown: Shown, total: int) -> str:
    if page.count == 1:
        return f"{total:,} records."
    count = sum(len(records) for _, records in shown)
    first, last = page.offset + 1, page.offset + count
    return f"Records {first:,} to {last:,} of {total:,}, newest run first."
