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

A listing is :class:`incremental.Pages`: each page's input digest (its words, its pager, its
filter bar, its runs' digests and each row's key: the record's token and its link) is computed
without rendering, and a page is rendered only when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from catalog_watch.site.digest import digest, keyed
from catalog_watch.site.html import Filters, as_markup, render, render_markup
from catalog_watch.site.incremental import Pages
from catalog_watch.site.pager import Link, Page, page_sizes, pager_links, paginate
from catalog_watch.site.rows import KeyOf, row_of
from catalog_watch.site.runs import APPEARED, RESOLVED, Record, Run


@dataclass(frozen=True, slots=True)
class Context:
    """What every listing needs besides its runs."""

    filters: Filters
    pages: Mapping[str, str]  # group key → model page, relative to the site root
    key_of: KeyOf
    limit: int
    source: str
    keys: Mapping[int, bytes]  # each record's row key by id of the record (``row_key``)
    groups: Mapping[int, str | None]  # each record's group key (``rows.record_key``) by id
    rows: dict[tuple[int, str], str] = field(default_factory=dict, compare=False)
    """Each record's rendered row by (id of the record, root): rendered once, listed often."""
    bars: dict[str, str] = field(default_factory=dict, compare=False)
    """The filter bar by root, with no current page (:func:`filter_bar`)."""


Shown = list[tuple[Run, list[Record]]]
"""A page's rows: each run with those of its records the page holds, newest run first."""


def row_key(token: bytes, link: str) -> bytes:
    """What a record's row is made of: the record (its token) and its model page's link."""
    return keyed(token, link)


def first_page(runs: Sequence[Run], limit: int) -> Shown:
    """The records ``index.html`` shows, run by run: the newest, not yet in a full page."""
    pages = _pages([(run, run.records) for run in runs], limit, stable=True)
    return pages[0] if pages else []


def _pages(
    shown: Sequence[tuple[Run, Sequence[Record]]], limit: int, *, stable: bool
) -> list[Shown]:
    sizes = page_sizes(sum(len(records) for _, records in shown), limit, stable)
    groups = paginate(shown, lambda pair: pair[1], sizes)
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
    return render(template, title=title, root=root, source=context.source, **values)


def listing_pages(
    shown: Sequence[tuple[Run, Sequence[Record]]],
    *,
    path: str,
    title: str,
    template: str,
    context: Context,
    run: Run | None = None,
) -> Pages:
    """A listing of ``shown`` (runs with the records it holds), its front at ``path`` (relative
    to the site root), the other pages beside it (``pager.page_path``); ``template`` extends
    ``listing.html`` with its intro. A run's own pages (``run``) never change, so they are cut
    from the start; every other listing grows and is cut from the oldest (``pager.py``)."""
    stable = run is None
    pages = _pages(shown, context.limit, stable=stable) or [[]]
    total = sum(len(records) for page in pages for _, records in page)
    listing: dict[str, _Listing] = {}
    offset = 0
    for position, rows in enumerate(pages):
        number = len(pages) - position if stable else position + 1
        page = Page(path, number, len(pages), offset, stable)
        continued = position > 0 and pages[position - 1][-1][0] is rows[0][0]
        listing[page.path] = _Listing(
            template=template,
            title=title,
            page=page,
            run=run,
            filter_bar=filter_bar(context, page.root, page.first),
            count=_count(page, rows, total, context.limit),
            pager=pager_links(page),
            shown=rows,
            continued=continued,
        )
        offset += sum(len(records) for _, records in rows)
    return Pages(
        {name: item.digest(context) for name, item in listing.items()},
        lambda names: {name: (listing[name].html(context).encode("utf-8"), 0) for name in names},
    )


@dataclass(frozen=True, slots=True)
class _Listing:
    """One page of a listing, before it is rendered."""

    template: str
    title: str  # "": the run's own heading and title (made only when rendered)
    page: Page
    run: Run | None
    filter_bar: str
    count: str
    pager: list[Link]
    shown: Shown
    continued: bool

    def digest(self, context: Context) -> str:
        return digest(
            self.template,
            context.source,
            _heading(self.title, self.page),  # not the page itself: its offset moves
            self.page.path,
            self.run.digest if self.run is not None else None,
            self.filter_bar,
            self.count,
            repr(self.pager),
            shown_key(self.shown, context, continued=self.continued),
        )

    def html(self, context: Context) -> str:
        run, root = self.run, self.page.root
        title = self.title or (f"{run.heading}: {run.title}" if run is not None else "")
        heading = _heading(title, self.page)
        return page_html(
            self.template,
            context,
            title=heading,
            root=root,
            heading=heading,
            run=run,
            filter_bar=self.filter_bar,
            count=self.count,
            pager=self.pager,
            sections=sections(self.shown, context, root=root, continued=self.continued),
        )


def shown_key(
    shown: Sequence[tuple[Run, Sequence[Record]]], context: Context, *, continued: bool = False
) -> bytes:
    """What :func:`sections` of ``shown`` are made of: each run's digest, whether it goes on
    from the page before, and its rows' keys."""
    keys = context.keys
    parts = []
    for n, (run, records) in enumerate(shown):
        head = f"{run.digest} {continued and n == 0:d} {len(records)}\n".encode()
        parts.append(head + b"".join(keys[id(record)] for record in records))
    return b"".join(parts)


def _heading(title: str, page: Page) -> str:
    if page.count == 1 or (page.stable and page.front):
        return title
    if page.stable:
        return f"{title} (page {page.number:,})"
    return f"{title} (page {page.number:,} of {page.count:,})"


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


def run_pages(run: Run, context: Context) -> Pages:
    """A run's own pages: the permalink its feed entry and the list of runs point to."""
    return listing_pages(
        [(run, run.records)],
        path=f"run/{run.anchor}.html",
        title="",
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


def _count(page: Page, shown: Shown, total: int, limit: int) -> str:
    if page.count == 1:
        return f"{total:,} records."
    count = sum(len(records) for _, records in shown)
    if page.stable and page.front:
        return f"The newest {count:,} of {total:,} records, newest run first."
    if page.stable:  # numbered from the oldest: its words do not change as records are added
        first = (page.number - 1) * limit + 1
        return f"Records {first:,} to {first + count - 1:,}, counted from the oldest; newest first."
    first, last = page.offset + 1, page.offset + count
    return f"Records {first:,} to {last:,} of {total:,}, newest run first."
