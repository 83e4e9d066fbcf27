"""The change listings: ``index.html``, the filtered pages and one page per run.

Filtering needs no JavaScript: every provider, kind and severity has its own static page
(``provider/<id>.html``, ``kind/<kind>.html``, ``severity/<severity>.html``) holding only the
matching rows, and the filter bar on every listing is plain links to them. A provider's page also
lists the inconsistencies that name one of its offerings. Every listing shows at most ``limit``
rows, newest run first, and says how many it left out (the ledger, ``changes.jsonl``, has all).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from catalog_watch.site.html import Filters, change_table, document, esc, filter_bar
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


def select_rows(
    runs: Sequence[Run], select: Select, limit: int
) -> tuple[list[tuple[Run, list[Record]]], int]:
    """The first ``limit`` matching records, run by run, and how many matched in all."""
    shown: list[tuple[Run, list[Record]]] = []
    total, room = 0, limit
    for run in runs:
        matching = [record for record in run.records if select(record)]
        total += len(matching)
        if matching and room > 0:
            shown.append((run, matching[:room]))
            room -= min(room, len(matching))
    return shown, total


def listing_page(
    runs: Sequence[Run], *, path: str, title: str, intro: str, select: Select, context: Context
) -> str:
    """A listing at ``path`` (relative to the site root); ``intro`` is HTML, already escaped."""
    root = "../" * path.count("/")
    shown, total = select_rows(runs, select, context.limit)
    count = sum(len(records) for _, records in shown)
    sections = run_sections(shown, root, context)
    body = (
        f'<h1>{esc(title)}</h1>\n<p class="intro">{intro}</p>\n'
        + filter_bar(context.filters, root, path)
        + f'<p class="count">{_count(count, total)}</p>\n'
        + (sections or '<p class="empty">No change recorded yet.</p>\n')
    )
    return document(
        title=title, root=root, body=body, generated=context.generated, source=context.source
    )


def run_page(run: Run, context: Context) -> str:
    """A run's own page: the permalink its feed entry points to."""
    path = f"run/{run.anchor}.html"
    title = f"{run.heading}: {run.title}"
    return listing_page(
        [run],
        path=path,
        title=title,
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


def run_sections(shown: Sequence[tuple[Run, Sequence[Record]]], root: str, context: Context) -> str:
    return "".join(_section(run, records, root, context) for run, records in shown)


def _section(run: Run, records: Sequence[Record], root: str, context: Context) -> str:
    rows = [row_of(record, context.key_of) for record in records]
    extra = run.inconsistency_counts()
    meta = f"measured from snapshot {_commit(run)}; {len(run.records):,} records in this run"
    return (
        f'<section class="run" id="{esc(run.anchor)}">\n'
        f'<h2><a href="{root}run/{esc(run.anchor)}.html">{esc(run.heading)}</a> '
        f'<span class="headline">{esc(run.title)}</span></h2>\n'
        + (f'<p class="inconsistencies">{esc(extra)}</p>\n' if extra else "")
        + f'<p class="meta">{meta}</p>\n'
        + change_table(rows, root, context.pages)
        + "</section>\n"
    )


def _commit(run: Run) -> str:
    return f"<code>{esc(run.commit[:12])}</code>" if run.commit else "(no commit)"


def _count(shown: int, total: int) -> str:
    if shown == total:
        return f"{total:,} records."
    return (
        f"Showing the newest {shown:,} of {total:,} records; every record is in the ledger, "
        "<code>changes.jsonl</code>, beside the snapshots."
    )
