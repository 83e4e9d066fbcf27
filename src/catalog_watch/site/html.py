"""The HTML every page shares: the document around a body, the filter bar, the change table.

Every catalog string goes through :func:`esc` (``inert.xml.html_text``) on its way into
the page: model ids may hold ``<``, ``&`` or quotes. Links are relative (``root`` is ``""`` on
the top-level pages and ``"../"`` one folder down), so the site works from any base URL and
from ``file://``. The only absolute link is the plain anchor to https://models.dev in the
footer. A Content-Security-Policy forbids every fetch but the site's own stylesheet, so a page
cannot reach the network even by mistake, and an empty ``data:`` icon spares the browser its
``/favicon.ico`` request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from catalog_watch.inert.xml import html_text
from catalog_watch.site.rows import Row

SOURCE_URL = "https://models.dev"
CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"


def esc(text: str) -> str:
    """Catalog text in a page: markup escaped, characters XML forbids replaced (``inert.xml``)."""
    return html_text(text)


_AFTER_SEPARATOR = re.compile(r"(?<=[/._:@-])(?=.)")
_AFTER_COMMA = re.compile(r"(?<=,)(?=\S)")


def breakable(text: str, separators: re.Pattern[str] = _AFTER_SEPARATOR) -> str:
    """An id escaped, with a line-break opportunity (``<wbr>``) after each ``/ . _ : @ -``:
    a narrow column wraps ``google/gemini-3.1-`` | ``flash``, never inside a word."""
    return "<wbr>".join(esc(part) for part in separators.split(text))


def breakable_value(text: str) -> str:
    """A change's words: they wrap at their spaces, and a long JSON value after its commas."""
    return breakable(text, _AFTER_COMMA)


@dataclass(frozen=True, slots=True)
class Filters:
    """The values the filter bar offers, each with its page's file name (relative to root)."""

    providers: Mapping[str, str]
    kinds: Mapping[str, str]
    severities: Mapping[str, str]


def document(*, title: str, root: str, body: str, generated: str, source: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{root}style.css">\n'
        f'<link rel="alternate" type="application/atom+xml" title="{esc(source)} changes" '
        f'href="{root}feed.xml">\n'
        "</head>\n<body>\n"
        f'<header class="site"><a class="home" href="{root}index.html">{esc(source)} changelog</a>'
        f' <a class="runs" href="{root}runs.html">Runs</a>'
        f' <a class="feed" href="{root}feed.xml">Atom feed</a></header>\n'
        f"<main>\n{body}</main>\n"
        f"<footer>Built by catalog-watch from {esc(generated)}. Catalog data: "
        f'<a href="{SOURCE_URL}">models.dev</a> (MIT License).</footer>\n'
        "</body>\n</html>\n"
    )


def filter_bar(filters: Filters, root: str, current: str | None) -> str:
    """Plain links to the filtered pages; the current one is marked ``aria-current``."""
    groups = [
        _links("kind", {k.replace("_", " "): p for k, p in filters.kinds.items()}, root, current),
        _links("severity", filters.severities, root, current),
    ]
    providers = _links("provider", filters.providers, root, current)
    everything = _link("all changes", f"{root}index.html", current == "index.html")
    return (
        '<nav class="filters" aria-label="filters">\n'
        f'<p class="group"><span class="label">show</span> {everything}</p>\n'
        + "".join(groups)
        + f'<details class="providers"><summary>provider ({len(filters.providers)})</summary>\n'
        + providers
        + "</details>\n</nav>\n"
    )


def _links(label: str, pages: Mapping[str, str], root: str, current: str | None) -> str:
    links = " ".join(_link(name, f"{root}{path}", path == current) for name, path in pages.items())
    return f'<p class="group"><span class="label">{esc(label)}</span> {links}</p>\n'


def _link(text: str, href: str, here: bool) -> str:
    marker = ' aria-current="page"' if here else ""
    return f'<a href="{esc(href)}"{marker}>{esc(text)}</a>'


_HEADER = ("", "kind", "provider", "model", "field", "change", "%", "severity")


def change_table(rows: Sequence[Row], root: str, pages: Mapping[str, str]) -> str:
    """The rows as a table; a model links to its page when ``pages`` (key → file) has one."""
    head = "".join(
        f'<th scope="col">{esc(name)}</th>' if name else '<th scope="col"><span>dir</span></th>'
        for name in _HEADER
    )
    body = "".join(_row(row, root, pages) for row in rows)
    return (
        f'<div class="table"><table class="changes">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody>\n</table></div>\n"
    )


def _row(row: Row, root: str, pages: Mapping[str, str]) -> str:
    page = pages.get(row.key) if row.key is not None else None
    model = breakable(row.model)
    if page is not None:
        model = f'<a href="{root}{esc(page)}">{model}</a>'
    cells = (
        f'<td class="dir {row.direction}">{row.arrow}</td>',
        f'<td class="kind">{esc(row.kind.replace("_", " "))}</td>',
        f'<td class="provider">{breakable(row.provider)}</td>',
        f'<td class="model">{model}</td>',
        f'<td class="field">{breakable(row.field)}</td>',
        f'<td class="change">{breakable_value(row.change)}</td>',
        f'<td class="pct">{esc(row.pct)}</td>',
        f'<td class="severity"><span class="sev sev-{esc(row.severity)}">'
        f"{esc(row.severity)}</span></td>",
    )
    return f'<tr class="row kind-{esc(row.kind)}">{"".join(cells)}</tr>\n'
